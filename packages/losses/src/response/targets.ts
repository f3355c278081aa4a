import * as tf from '@tensorflow/tfjs';

/**
 * How far DKD's and NKD's reference code push the target logit down to drop it from a softmax:
 * softmax(z / T - 1000 * onehot) is the distribution over the non-target classes (mdistiller's
 * `logits / temperature - 1000.0 * gt_mask`). exp(-1000) is 0 in float32, so the target gets exactly
 * probability 0 unless logits / T reach the hundreds.
 */
export const TARGET_SUPPRESSION = 1000;

/** float32 one-hot [batch, classes] of the labels. */
export function oneHotLabels(labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(labels, classes), 'float32') as tf.Tensor2D;
}

/**
 * Each row's entry at its label, [batch]. Selects with `where` rather than multiplying by the one-hot,
 * so a -Infinity elsewhere in the row (log 0 from a black-box teacher) cannot turn into NaN.
 * The mask comes from the labels only, so nothing gradient-less is on a taped path.
 */
export function atLabels(values: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.where(tf.cast(oneHot, 'bool'), values, tf.zerosLike(values)), 1) as tf.Tensor1D;
}

/** log-softmax over the non-target classes only (target suppressed, see TARGET_SUPPRESSION). */
export function nonTargetLogSoftmax(scaledLogits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor2D {
  return tf.logSoftmax(tf.sub(scaledLogits, tf.mul(oneHot, TARGET_SUPPRESSION))) as tf.Tensor2D;
}
