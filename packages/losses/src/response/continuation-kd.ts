import {
  rejectUnknownOptions,
  requireBoolean,
  requireChoice,
  requireFraction,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
  type KnowledgeLoss,
  type LossDefinition,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs';
import { studentLogits, teacherLogits } from '../logits.js';
import { LOGIT_REQUIREMENTS, plainLoss } from '../plain-loss.js';
import { RAMP_KINDS, rampSchedule } from '../schedules/ramp.js';
import type { RampKind } from '../schedules/ramp.js';
import { jafari2022 } from './references.js';
import { softenedKl } from './softened.js';

export type ContinuationKdOptions = {
  /** the smoothed objective's temperature, at the start of training */
  readonly startTemperature: number;
  /** the target objective's temperature, reached at `rampFraction` */
  readonly endTemperature: number;
  readonly startWeight: number;
  readonly endWeight: number;
  /** shape of the path from start to end values */
  readonly schedule: RampKind;
  /** plateaus of the 'step' schedule */
  readonly stages: number;
  /** fraction of training at which the end values are reached and then held */
  readonly rampFraction: number;
  readonly scaleByT2: boolean;
};

export const CONTINUATION_KD_DEFAULTS: ContinuationKdOptions = {
  startTemperature: 10,
  endTemperature: 4,
  startWeight: 1,
  endWeight: 1,
  schedule: 'cosine',
  stages: 4,
  rampFraction: 1,
  scaleByT2: true,
};

export interface ContinuationKdLoss extends KnowledgeLoss {
  readonly options: ContinuationKdOptions;
  /** temperature and weight at a fraction of training */
  at(fraction: number): { readonly temperature: number; readonly weight: number };
}

/**
 * Continuation-style KD: the KD objective followed along a path from a smoothed version to the target
 * one, in the spirit of Jafari et al. 2022. Continuation (homotopy) optimisation minimises a family
 * L(theta; lambda) from an easy, smooth member (lambda = 0) to the hard target (lambda = 1), starting each
 * member from the previous minimiser. Here the family member at training fraction f is
 *
 *   continuationKd(f) = w(f) [T(f)^2 x] KL(softmax(z_T / T(f)) || softmax(z_S / T(f)))
 *
 * with T and w moving from (startTemperature, startWeight) to (endTemperature, endWeight) over
 * [0, rampFraction] along a linear, cosine or stepped schedule. A high temperature is the smoothing: as
 * T grows, KD tends to matching centred logits (Hinton et al. 2015, section 2.1), a quadratic in the
 * student's logits, and the teacher's near-zero classes stop dominating; lowering T restores the sharp
 * target objective. What is not reproduced: the paper's own objective and its exact schedule (it builds
 * on their Annealing-KD and also treats the teacher's noisy outputs); they could not be checked here,
 * so this loss implements the continuation principle with documented, configurable pieces.
 */
export function continuationKd(options: Partial<ContinuationKdOptions> = {}): ContinuationKdLoss {
  const name = 'continuation-kd';
  rejectUnknownOptions(name, options, Object.keys(CONTINUATION_KD_DEFAULTS));
  const merged = { ...CONTINUATION_KD_DEFAULTS, ...options };
  const resolved: ContinuationKdOptions = {
    startTemperature: requirePositive(name, 'startTemperature', merged.startTemperature, 'a high temperature, e.g. 10'),
    endTemperature: requirePositive(name, 'endTemperature', merged.endTemperature, 'the usual KD temperature, e.g. 4'),
    startWeight: requireNonNegative(name, 'startWeight', merged.startWeight, 'weights are >= 0'),
    endWeight: requireNonNegative(name, 'endWeight', merged.endWeight, 'weights are >= 0'),
    schedule: requireChoice(name, 'schedule', merged.schedule, RAMP_KINDS),
    stages: requirePositiveInteger(name, 'stages', merged.stages, 'plateaus of the step schedule, e.g. 4'),
    rampFraction: requireFraction(name, 'rampFraction', merged.rampFraction, 'a fraction of training, e.g. 1 or 0.5'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
  };
  const window = { end: resolved.rampFraction, stages: resolved.stages };
  const temperatureAt = rampSchedule(resolved.schedule, { from: resolved.startTemperature, to: resolved.endTemperature, ...window });
  const weightAt = rampSchedule(resolved.schedule, { from: resolved.startWeight, to: resolved.endWeight, ...window });
  const at = (fraction: number) => ({ temperature: temperatureAt(fraction), weight: weightAt(fraction) });
  const loss = plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const { temperature, weight } = at(context.progress.fraction);
      const continuationKd = tf.tidy(
        () => tf.mul(softenedKl(zS, zT, temperature, { direction: 'forward', reduction: 'batchmean', scaleByT2: resolved.scaleByT2 }), weight) as tf.Scalar,
      );
      return { continuationKd };
    },
  });
  return Object.assign(loss, { at });
}

export const continuationKdDefinition: LossDefinition<ContinuationKdOptions> = {
  kind: 'loss',
  name: 'continuation-kd',
  summary: 'KD followed from a smoothed (high-temperature) objective to the target one along a schedule',
  knowledge: 'response',
  reference: jafari2022,
  defaults: CONTINUATION_KD_DEFAULTS,
  create: (options) => continuationKd(options),
};
