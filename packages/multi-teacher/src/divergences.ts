import * as tf from '@tensorflow/tfjs';

/**
 * Per-sample KL(p || q) = sum_c p_c (log p_c - log q_c) from log-probabilities [batch, classes] -> [batch].
 * Here p is always a teacher-side target with finite log-probabilities (log-softmax of finite logits, or
 * a black-box teacher's clipped log p), so no 0 * Infinity guard is needed.
 */
export function rowKl(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1) as tf.Tensor1D);
}

/** Per-sample cross-entropy -log softmax(z)_y for each teacher: [batch, teachers]. */
export function teacherCrossEntropies(teacherLogits: readonly tf.Tensor2D[], labels: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const columns = teacherLogits.map((logits) => {
      const oneHot = tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32');
      return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
    });
    return tf.stack(columns, 1) as tf.Tensor2D;
  });
}

/**
 * CA-MKD's confidence weights (Zhang, Chen, Wang 2022, eq. 2; the official code's
 * `(1.0 - F.softmax(loss_t, dim=0)) / (num_teacher - 1)`): w_k = (1 - softmax_k(CE_k)) / (K - 1),
 * per sample. A teacher with a lower cross-entropy on the true label gets a larger weight, and the
 * weights of each sample sum to (K - sum softmax) / (K - 1) = 1. For K = 1 the form is 0 / 0; the
 * single teacher gets weight 1.
 * @param crossEntropies [batch, teachers]
 */
export function confidenceWeights(crossEntropies: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const count = crossEntropies.shape[1];
    if (count === 1) return tf.onesLike(crossEntropies);
    return tf.div(tf.sub(1, tf.softmax(crossEntropies)), count - 1) as tf.Tensor2D;
  });
}
