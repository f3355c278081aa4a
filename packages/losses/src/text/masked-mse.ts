import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { Projection } from '../feature/projection.js';

/** When a learned projection maps student widths onto teacher widths. */
export type ProjectionChoice = 'auto' | 'always' | 'never';
export const PROJECTION_CHOICES: readonly ProjectionChoice[] = ['auto', 'always', 'never'];

/**
 * Mean squared error over real tokens of [B, L, D] sequences: sum_{b,t} m_bt ||s_bt - t_bt||^2 / (D sum m).
 * Padded positions have weight 0, so their values change nothing.
 */
export function maskedSequenceMse(student: tf.Tensor, teacher: tf.Tensor, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const width = teacher.shape[teacher.rank - 1] as number;
    const perToken = tf.sum(tf.square(tf.sub(student, teacher)), -1);
    return tf.div(tf.sum(tf.mul(perToken, mask)), tf.mul(tf.maximum(tf.sum(mask), 1), width));
  });
}

/** A projection W (TinyBERT's W_e / W_h, a dense layer with bias) from width `from` to `to`, or none. */
export function makeProjection(loss: string, choice: ProjectionChoice, from: number, to: number, seed: number, label: string): Projection | undefined {
  if (choice === 'never' || (choice === 'auto' && from === to)) {
    if (from !== to) {
      throw new ConfigError(`${loss}: projection is "never" but the student width ${from} differs from the teacher width ${to}`, 'use projection "auto" (the default) or models of equal width');
    }
    return undefined;
  }
  // PyTorch nn.Linear's initialisation, as TinyBERT's fit_dense.
  return Projection.create(from, to, 'torch-linear', seed, label);
}
