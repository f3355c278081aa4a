import * as tf from '@tensorflow/tfjs';

/**
 * DAFL's generator objective (Chen et al. 2019, eq. 3-6, as in the official DAFL_train.py):
 *   L_oh = CE(z_T, argmax z_T)               (mean over the batch; the pseudo-label is a constant)
 *   L_a  = -mean |f_T|                      (mean over batch x feature elements)
 *   L_ie = sum_c pbar_c log10 pbar_c,        pbar = mean over the batch of softmax(z_T)
 * L_ie is the negative information entropy of the batch-mean prediction, with the code's base-10 log
 * (the paper writes H without a base: the base only rescales the weight). Minimising it spreads the
 * generated samples over the classes.
 */
export function oneHotLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, classes] = logits.shape;
    // argMax and oneHot carry no gradient: the pseudo-label is a constant, as `outputs_T.data.max(1)[1]`
    const target = tf.oneHot(tf.argMax(logits, 1), classes).asType('float32');
    return tf.div(tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)))), batch) as tf.Scalar;
  });
}

export function activationLoss(features: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.abs(features))) as tf.Scalar);
}

export function informationEntropyLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const batch = logits.shape[0];
    // log pbar_c = logsumexp_b(log p_bc) - log B: finite even where a class mean underflows to 0
    const logMean = tf.sub(tf.logSumExp(tf.logSoftmax(logits), 0), Math.log(batch));
    return tf.div(tf.sum(tf.mul(tf.exp(logMean), logMean)), Math.LN10) as tf.Scalar;
  });
}
