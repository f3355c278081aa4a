import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { flattenSamples } from '../feature/normalize.js';
import { passalis2018 } from './references.js';
import { resolveWeightedTaps, weightedTapsLoss, type WeightedTapsOptions } from './tap-pair-sum.js';

export type PktOptions = WeightedTapsOptions;

/** beta 30000 is RepDistiller's weight for PKT (`-b 30000`). */
export const PKT_DEFAULTS: PktOptions = { studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], beta: 30000 };

export interface PktLoss extends KnowledgeLoss {
  readonly options: PktOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { pkt: tf.Scalar };
}

/** the authors' epsilon (passalis/probabilistic_kt, copied into RepDistiller) */
const EPS = 1e-7;

/**
 * Conditional probabilities from the cosine-similarity kernel: rows x / (||x|| + eps), then
 * K = (x x^T + 1) / 2 in [0, 1] and P[i, j] = K[i, j] / sum_j K[i, j] (the diagonal included, as in
 * the authors' code). The norm is sqrt(max(sum x^2, 1e-24)) so an all-zero row has a zero gradient.
 */
export function cosineConditionals(features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(features), 1, true), 1e-24));
    const unit = tf.div(features, tf.add(norm, EPS));
    const kernel = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
    return tf.div(kernel, tf.sum(kernel, 1, true)) as tf.Tensor2D;
  });
}

/**
 * Probabilistic knowledge transfer (Passalis & Tefas, ECCV 2018) with the cosine kernel: the student's
 * conditional probability distribution over the batch should match the teacher's,
 * mean_{i,j} P_T log((P_T + eps) / (P_S + eps)) - the authors' cosine_similarity_loss (a KL divergence
 * averaged over the B^2 entries) - summed over tap pairs, times `beta`. Invariant to scaling either
 * network's features; dimensions may differ.
 */
export function pktLoss(options: Partial<PktOptions> = {}): PktLoss {
  const resolved = resolveWeightedTaps('pkt', options, PKT_DEFAULTS, 'use a weight >= 0; RepDistiller uses 30000');
  return weightedTapsLoss('pkt', resolved, (s, t) => {
    const pS = cosineConditionals(flattenSamples(s));
    const pT = cosineConditionals(flattenSamples(t));
    return tf.mean(tf.mul(pT, tf.log(tf.div(tf.add(pT, EPS), tf.add(pS, EPS)))));
  });
}

export const pktDefinition: LossDefinition<PktOptions> = {
  kind: 'loss',
  name: 'pkt',
  summary: 'Probabilistic knowledge transfer: KL between cosine-kernel conditional probability distributions over the batch',
  knowledge: 'relation',
  reference: passalis2018,
  defaults: PKT_DEFAULTS,
  create: (options) => pktLoss(options),
};
