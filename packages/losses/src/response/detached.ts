import * as tf from '@tensorflow/tfjs';

/**
 * f(x) as a constant. tfjs does not record the ops of a custom-gradient forward pass on the tape, and
 * the gradient declared here is zero, so `f` may use ops without gradients (topk, greater) on a tensor
 * that is on the tape - soft labels and per-sample weights a loss builds from the student's own
 * outputs. A stop-gradient on the input alone is not enough: the tape would still hold the
 * gradient-less ops between it and the loss, and backprop would fail on them.
 */
export function detached<T extends tf.Tensor>(x: tf.Tensor, f: (x: tf.Tensor) => T): T {
  const shape = x.shape;
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: f(input as tf.Tensor),
    gradFunc: () => tf.zeros(shape),
  }));
  return op(x) as T;
}
