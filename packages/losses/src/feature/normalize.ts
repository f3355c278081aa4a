import * as tf from '@tensorflow/tfjs';

/**
 * x / max(||x||_2, 1e-12) along `axis`: PyTorch's F.normalize, which the reference code uses. Written
 * as x / sqrt(max(sum x^2, 1e-24)) so an all-zero row (a dead ReLU map) gets a zero gradient instead
 * of sqrt'(0) = Infinity; the value is identical.
 */
export function l2Normalize(x: tf.Tensor, axis = -1): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), 1e-24))));
}

/** Every sample flattened to a row: [batch, ...] -> [batch, size]. */
export function flattenSamples(x: tf.Tensor): tf.Tensor2D {
  const batch = x.shape[0] as number;
  return tf.reshape(x, [batch, x.size / Math.max(batch, 1)]);
}

/** Mean of the squared difference over every element (PyTorch's MSELoss / `(a - b).pow(2).mean()`). */
export function meanSquaredError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))));
}
