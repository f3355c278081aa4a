import * as tf from '@tensorflow/tfjs';

/**
 * The mean of a step's per-update losses, as a new scalar the caller owns. In tf.tidy because the sum
 * (and the divisor tfjs makes from the count) are intermediates: schemes' steps run outside any tidy
 * (the trainer calls them bare), so anything left here would outlive the step.
 */
export function meanScalar(values: readonly tf.Scalar[]): tf.Scalar {
  return tf.tidy(() => tf.div(tf.addN([...values]), values.length));
}
