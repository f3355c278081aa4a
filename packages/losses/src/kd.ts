import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { klDivergence, REDUCTIONS } from './divergence.js';
import type { Reduction } from './divergence.js';
import { studentLogits, teacherLogits } from './logits.js';
import { rejectUnknownOptions, requireBoolean, requireOneOf, requirePositiveNumber } from './options.js';
import { hinton2015 } from './references.js';
import { checkLossRequirements } from './requirements.js';
import { stopGradient } from './stop-gradient.js';

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
    temperature: requirePositiveNumber('kd', 'temperature', merged.temperature, 'use a temperature > 0; Hinton et al. use 1-20, 4 is a common choice'),
    scaleByT2: requireBoolean('kd', 'scaleByT2', merged.scaleByT2),
    reduction: requireOneOf('kd', 'reduction', merged.reduction, REDUCTIONS),
    direction: requireOneOf('kd', 'direction', merged.direction, KD_DIRECTIONS),
  };
}

/**
 * Hinton's soft-target loss: T^2 * KL(softmax(z_T / T) || softmax(z_S / T)), batch-mean, by default.
 * Log-softmax on both sides (never log of a probability) keeps it finite for any finite logits, and
 * teacher logits pass through a stop-gradient so they stay constants even when computed on the tape.
 */
export function kdLoss(options: Partial<KdOptions> = {}): KdLoss {
  const resolved = resolveKdOptions(options);
  const { temperature, reduction, direction } = resolved;
  const scale = resolved.scaleByT2 ? temperature * temperature : 1;
  const name = 'kd';
  const loss: KdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const kd = tf.tidy((): tf.Scalar => {
        const logS = tf.logSoftmax(tf.div(zS, temperature)) as tf.Tensor2D;
        const logT = tf.logSoftmax(tf.div(stopGradient(zT), temperature)) as tf.Tensor2D;
        const divergence = direction === 'forward' ? klDivergence(logT, logS, reduction) : klDivergence(logS, logT, reduction);
        return scale === 1 ? divergence : tf.mul(divergence, scale);
      });
      return { kd };
    },
  };
  return loss;
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
