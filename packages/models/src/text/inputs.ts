import * as tf from '@tensorflow/tfjs';
import { InputShapeError } from '@distillery/core';
import { SequenceTooLongError, TokenIdOutOfRangeError } from './errors.js';
import { PAD_ID } from './types.js';

/** Shape checks that cost nothing (no download): rank 2 and seqLen <= maxLength. Run on every forward. */
export function assertTokenShape(model: string, x: tf.Tensor, maxLength: number): void {
  if (x.rank !== 2) throw new InputShapeError(`${model} (token ids [batch, seqLen], -1 = any)`, [-1, -1], x.shape);
  const length = x.shape[1] as number;
  if (length > maxLength) throw new SequenceTooLongError(model, length, maxLength);
  if (length < 1) throw new InputShapeError(`${model} (token ids [batch, seqLen >= 1])`, [-1, maxLength], x.shape);
}

/**
 * Checks every id lies in [0, vocabSize) with one download of two numbers. Out-of-range ids would make
 * tf.gather throw on the cpu backend but read arbitrary memory (or zeros) on wasm, silently.
 */
export function validateTokenIds(model: string, x: tf.Tensor, vocabSize: number): void {
  const range = tf.tidy(() => {
    const ids = x.dtype === 'int32' ? x : tf.cast(x, 'int32');
    return tf.stack([tf.min(ids), tf.max(ids)]);
  });
  const [low, high] = range.dataSync();
  range.dispose();
  if ((low ?? 0) < 0) throw new TokenIdOutOfRangeError(model, low ?? 0, vocabSize);
  if ((high ?? 0) >= vocabSize) throw new TokenIdOutOfRangeError(model, high ?? 0, vocabSize);
}

export interface Tokens {
  /** int32 [B, L] */
  readonly ids: tf.Tensor;
  /** float32 [B, L]: 1 for real tokens, 0 for [PAD] */
  readonly mask: tf.Tensor;
}

/** int32 ids (cast from float32 when needed, as the contract allows) and the padding mask. */
export function readTokens(x: tf.Tensor): Tokens {
  const ids = x.dtype === 'int32' ? x : tf.cast(x, 'int32');
  return { ids, mask: tf.cast(tf.notEqual(ids, PAD_ID), 'float32') };
}
