import { rejectUnknownOptions, requireBoolean, requireChoice, requirePositive, type KnowledgeLoss, type LossDefinition } from '@distillery/core';
import { REDUCTIONS } from './divergence.js';
import type { Reduction } from './divergence.js';
import { studentLogits, teacherLogits } from './logits.js';
import { LOGIT_REQUIREMENTS, plainLoss } from './plain-loss.js';
import { hinton2015 } from './references.js';
import { softenedKl } from './response/softened.js';

export type KdDirection = 'forward' | 'reverse';
export const KD_DIRECTIONS: readonly KdDirection[] = ['forward', 'reverse'];

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type KdOptions = {
  /** softens both distributions: p = softmax(z / T) */
  readonly temperature: number;
  /** multiply by T^2 so gradient magnitudes stay comparable across temperatures (Hinton et al.) */
  readonly scaleByT2: boolean;
  readonly reduction: Reduction;
  /** 'forward' = KL(p_T || p_S) (mean-seeking, Hinton); 'reverse' = KL(p_S || p_T) (mode-seeking) */
  readonly direction: KdDirection;
};

export const KD_DEFAULTS: KdOptions = { temperature: 4, scaleByT2: true, reduction: 'batchmean', direction: 'forward' };

export interface KdLoss extends KnowledgeLoss {
  readonly options: KdOptions;
}

function resolveKdOptions(options: Partial<KdOptions>): KdOptions {
  rejectUnknownOptions('kd', options, Object.keys(KD_DEFAULTS));
  const merged = { ...KD_DEFAULTS, ...options };
  return {
    temperature: requirePositive('kd', 'temperature', merged.temperature, 'use a temperature > 0; Hinton et al. use 1-20, 4 is a common choice'),
    scaleByT2: requireBoolean('kd', 'scaleByT2', merged.scaleByT2),
    reduction: requireChoice('kd', 'reduction', merged.reduction, REDUCTIONS),
    direction: requireChoice('kd', 'direction', merged.direction, KD_DIRECTIONS),
  };
}

/**
 * Hinton's soft-target loss: T^2 * KL(softmax(z_T / T) || softmax(z_S / T)), batch-mean, by default.
 * Log-softmax on both sides (never log of a probability) keeps it finite for any finite logits, and
 * teacher logits pass through a stop-gradient so they stay constants even when computed on the tape.
 */
export function kdLoss(options: Partial<KdOptions> = {}): KdLoss {
  const resolved = resolveKdOptions(options);
  const name = 'kd';
  return plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      // softenedKl is this computation at any temperature; it multiplies by T^2 even at T = 1 (x 1 is exact).
      return { kd: softenedKl(studentLogits(context, name), teacherLogits(context, name), resolved.temperature, resolved) };
    },
  });
}

export const kdDefinition: LossDefinition<KdOptions> = {
  kind: 'loss',
  name: 'kd',
  summary: "Hinton's soft-target loss: T^2 x KL(teacher || student) over temperature-softened softmax outputs",
  knowledge: 'response',
  reference: hinton2015,
  defaults: KD_DEFAULTS,
  create: (options) => kdLoss(options),
};
