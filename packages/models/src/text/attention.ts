import * as tf from '@tensorflow/tfjs';
import { linear, MASK_NEGATIVE, type DenseWeights } from './ops.js';
import { NO_DROPOUT, type Dropout } from './dropout.js';

export interface AttentionWeights {
  readonly query: DenseWeights;
  readonly key: DenseWeights;
  readonly value: DenseWeights;
  readonly output: DenseWeights;
}

export interface AttentionResult {
  /** [B, L, D] after the output projection */
  readonly output: tf.Tensor;
  /** [B, H, L, L] Q.K^T / sqrt(dh), before any mask */
  readonly scores: tf.Tensor;
  /** [B, H, L, L] softmax over keys after the mask (before attention dropout) */
  readonly probs: tf.Tensor;
  /** [B, H, L, dh] each */
  readonly queries: tf.Tensor;
  readonly keys: tf.Tensor;
  readonly values: tf.Tensor;
}

/** [B, L, D] -> [B, H, L, D/H] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [batch, length, width] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [batch, length, heads, width / heads]), [0, 2, 1, 3]);
}

/** [B, H, L, dh] -> [B, L, H * dh] */
function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [batch, heads, length, size] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch, length, heads * size]);
}

/**
 * Additive attention mask [B, 1, 1|L, L]: 0 where a query may attend to a key, MASK_NEGATIVE where the
 * key is padding (mask [B, L] = 0) or, when causal, lies in the query's future.
 */
export function attentionBias(mask: tf.Tensor, causal: boolean): tf.Tensor {
  const [batch, length] = mask.shape as [number, number];
  const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASK_NEGATIVE), [batch, 1, 1, length]);
  if (!causal) return padding;
  const allowed = tf.linalg.bandPart(tf.ones([length, length]), -1, 0); // key index <= query index
  const future = tf.reshape(tf.mul(tf.sub(1, allowed), MASK_NEGATIVE), [1, 1, length, length]);
  return tf.add(padding, future);
}

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017). `bias` is added to the scores
 * before the softmax (see attentionBias); masked keys get weight exactly 0, so padded positions change
 * nothing at real ones.
 */
export function multiHeadAttention(x: tf.Tensor, weights: AttentionWeights, heads: number, bias: tf.Tensor, dropout: Dropout = NO_DROPOUT, site = 'attention'): AttentionResult {
  const queries = splitHeads(linear(x, weights.query), heads);
  const keys = splitHeads(linear(x, weights.key), heads);
  const values = splitHeads(linear(x, weights.value), heads);
  const headSize = queries.shape[3] as number;
  const scores = tf.mul(tf.matMul(queries, keys, false, true), 1 / Math.sqrt(headSize));
  const probs = tf.softmax(tf.add(scores, bias));
  const context = mergeHeads(tf.matMul(dropout(probs, `${site}/probs`), values));
  return { output: linear(context, weights.output), scores, probs, queries, keys, values };
}
