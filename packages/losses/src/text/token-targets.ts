import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import type { StepContext } from '@distillery/core';
import { readFeature } from '../feature/features.js';
import { readMask, TOKEN_LOGITS, TOKENS } from './taps.js';

/** The student's next-token logits [B, L, V], checked against the vocabulary size (numClasses). */
export function readTokenLogits(context: StepContext, side: 'student' | 'teacher', loss: string): tf.Tensor3D {
  const logits = readFeature(context, side, TOKEN_LOGITS, loss);
  if (logits.rank !== 3) {
    throw new ConfigError(`${loss}: ${side} "${TOKEN_LOGITS}" has shape [${logits.shape.join(', ')}], expected [batch, length, vocabulary]`, 'use a causal language model (transformerLM)');
  }
  return logits as tf.Tensor3D;
}

/**
 * Next-token targets and their weights for a causal LM batch (the text contract): targets =
 * concat(tokens[:, 1:], labels[:, None]) (labels = the token after the window), weight 1 where the
 * position is a real token and its target is not [PAD] (id 0), else 0. Both are constants.
 */
export function nextTokenTargets(context: StepContext, loss: string, batch: number, length: number): { targets: tf.Tensor2D; weights: tf.Tensor2D } {
  const tokens = readFeature(context, 'student', TOKENS, loss);
  if (tokens.rank !== 2 || tokens.shape[0] !== batch || tokens.shape[1] !== length) {
    throw new ConfigError(`${loss}: student "${TOKENS}" has shape [${tokens.shape.join(', ')}], expected [${batch}, ${length}]`, 'tokens are the model input ids [batch, length]');
  }
  if (context.labels.shape[0] !== batch) {
    throw new ConfigError(`${loss}: ${context.labels.shape[0]} labels for a batch of ${batch}`, 'labels are the token after each window, one per sample');
  }
  const mask = readMask(context, loss, batch, length);
  return tf.tidy(() => {
    const ids = tf.cast(tokens, 'int32');
    const next = tf.concat([tf.slice(ids, [0, 1], [batch, length - 1]), tf.reshape(tf.cast(context.labels, 'int32'), [batch, 1])], 1) as tf.Tensor2D;
    const weights = tf.mul(mask, tf.cast(tf.notEqual(next, 0), 'float32')) as tf.Tensor2D;
    return { targets: next, weights };
  });
}

/** Per-position negative log-likelihood [B, L] of the targets under logits [B, L, V]. */
export function tokenNll(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const vocab = logits.shape[2];
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, vocab)), -1)) as tf.Tensor2D);
}
