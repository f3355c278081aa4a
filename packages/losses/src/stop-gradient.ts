import * as tf from '@tensorflow/tfjs';

/**
 * Identity in the forward pass, zero gradient in the backward pass. TensorFlow.js has no
 * `stopGradient`; teacher outputs are normally computed outside the tape, but online schemes (mutual
 * learning, peers) compute the "teacher" inside the same closure, and a soft target must stay a constant.
 */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor;
  return { value: input.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;
