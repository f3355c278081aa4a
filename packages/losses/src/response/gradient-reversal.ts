import * as tf from '@tensorflow/tfjs';

/**
 * Gradient reversal layer (Ganin & Lempitsky 2015, "Unsupervised Domain Adaptation by
 * Backpropagation"): identity in the forward pass, the incoming gradient times -lambda in the backward
 * pass. A parameter behind it is pushed to *increase* whatever the rest of the graph minimises; CTKD
 * uses it to train the temperature adversarially.
 */
export function gradientReversal<T extends tf.Tensor>(x: T, lambda: number): T {
  const reverse = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: (input as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, -lambda),
  }));
  return reverse(x) as T;
}
