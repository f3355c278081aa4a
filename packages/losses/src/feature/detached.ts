import * as tf from '@tensorflow/tfjs';

/**
 * `fn(x)` as a constant: computed in the forward pass of a custom gradient, so none of its ops is
 * recorded on a gradient tape and the gradient to `x` is zero. Masks and statistics built from a
 * teacher need this: comparisons such as `greater` have no gradient in tfjs, and a tape that reaches
 * one (an online scheme computing the teacher under the tape) would fail at backprop time.
 */
export function detached(x: tf.Tensor, fn: (input: tf.Tensor) => tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: fn(input as tf.Tensor),
    gradFunc: () => tf.zeros(shape),
  }));
  return op(x);
}
