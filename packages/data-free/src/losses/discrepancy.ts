import * as tf from '@tensorflow/tfjs';

/** How the adversarial scheme measures student-teacher disagreement on generated samples. */
export type Discrepancy = 'l1' | 'kl';
export const DISCREPANCIES: readonly Discrepancy[] = ['l1', 'kl'];

/**
 * 'l1': mean |z_S - z_T| over batch x classes on logits (DFAD's `F.l1_loss(s_logit, t_logit)`), which
 * keeps a useful gradient for the generator when the distributions already agree, unlike KL;
 * 'kl': KL(softmax z_T || softmax z_S), batch mean (ZSKT's choice at temperature 1).
 * Both arguments may carry gradients: the scheme decides which side is a constant.
 */
export function discrepancy(kind: Discrepancy, studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'l1') return tf.mean(tf.abs(tf.sub(studentLogits, teacherLogits))) as tf.Scalar;
    const logT = tf.logSoftmax(teacherLogits);
    const logS = tf.logSoftmax(studentLogits);
    return tf.div(tf.sum(tf.mul(tf.exp(logT), tf.sub(logT, logS))), teacherLogits.shape[0]) as tf.Scalar;
  });
}
