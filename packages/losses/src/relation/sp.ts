import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { flattenSamples, l2Normalize } from '../feature/normalize.js';
import { tung2019 } from './references.js';
import { resolveWeightedTaps, weightedTapsLoss, type WeightedTapsOptions } from './tap-pair-sum.js';

export type SpOptions = WeightedTapsOptions;

/** beta 3000 is RepDistiller's weight for SP (`-b 3000`), the paper's gamma. */
export const SP_DEFAULTS: SpOptions = { studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], beta: 3000 };

export interface SpLoss extends KnowledgeLoss {
  readonly options: SpOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { sp: tf.Scalar };
}

/** G = row-L2-normalised (Q Q^T) for flattened activations Q [B, D] -> [B, B] (the paper's eq. 2-3). */
export function similarityMatrix(features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => l2Normalize(tf.matMul(features, features, false, true), 1) as tf.Tensor2D);
}

/**
 * Similarity-preserving KD (Tung & Mori, ICCV 2019): (1 / B^2) ||G_T - G_S||_F^2 per tap pair (eq. 4;
 * RepDistiller's Similarity, "verified by original author"), summed over pairs, times `beta`.
 * Invariant to scaling either network's features; dimensions may differ.
 */
export function spLoss(options: Partial<SpOptions> = {}): SpLoss {
  const resolved = resolveWeightedTaps('sp', options, SP_DEFAULTS, 'use a weight >= 0; RepDistiller uses 3000');
  return weightedTapsLoss('sp', resolved, (s, t, batch) => {
    const difference = tf.sub(similarityMatrix(flattenSamples(t)), similarityMatrix(flattenSamples(s)));
    return tf.div(tf.sum(tf.square(difference)), batch * batch) as tf.Scalar;
  });
}

export const spDefinition: LossDefinition<SpOptions> = {
  kind: 'loss',
  name: 'sp',
  summary: 'Similarity-preserving KD: Frobenius distance between row-normalised batch similarity matrices Q Q^T, over B^2',
  knowledge: 'relation',
  reference: tung2019,
  defaults: SP_DEFAULTS,
  create: (options) => spLoss(options),
};
