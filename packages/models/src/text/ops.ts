import * as tf from '@tensorflow/tfjs';

/** A dense layer's weights; plain tensors so tests can differentiate with respect to them. */
export interface DenseWeights {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor;
}

export interface LayerNormWeights {
  readonly gamma: tf.Tensor;
  readonly beta: tf.Tensor;
}

/** PyTorch's LayerNorm default; BERT's 1e-12 underflows to nothing next to float32 variances. */
export const LAYER_NORM_EPSILON = 1e-5;

/** A value added to attention scores of masked keys: exp(score - 1e9 - max) is exactly 0 in float32. */
export const MASK_NEGATIVE = -1e9;

/** x [..., in] . kernel [in, out] + bias over the last axis (flattened to one matmul for speed). */
export function linear(x: tf.Tensor, weights: DenseWeights): tf.Tensor {
  const inner = x.shape[x.rank - 1] as number;
  const units = weights.kernel.shape[1] as number;
  const flat = tf.reshape(x, [-1, inner]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: flat, b: weights.kernel as tf.Tensor2D, bias: weights.bias });
  return tf.reshape(y, [...x.shape.slice(0, -1), units]);
}

/** Layer normalisation over the last axis (Ba et al. 2016), biased variance as in BERT and PyTorch. */
export function layerNorm(x: tf.Tensor, weights: LayerNormWeights, epsilon = LAYER_NORM_EPSILON): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), weights.gamma), weights.beta);
}

/** Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as BERT and PyTorch's nn.GELU(). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Rows of `table` [vocab, dim] for int32 ids of any shape; the gradient is an UnsortedSegmentSum. */
export function embed(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return tf.gather(table, ids);
}
