import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, requireBoolean, requireNonNegative, requirePositive, type KnowledgeLoss, type LossDefinition } from '@distillery/core';
import { LOGIT_REQUIREMENTS, plainLoss } from '../plain-loss.js';
import { detached } from './detached.js';
import { amara2022 } from './references.js';
import { broadcastRows, rowMaskedKl, scaledByT2, softenedPair } from './softened.js';

export type BdkdOptions = {
  readonly temperature: number;
  readonly scaleByT2: boolean;
  /** weight of the divergence the entropy comparison selects for a sample */
  readonly emphasisWeight: number;
  /** weight of the other divergence */
  readonly baseWeight: number;
};

export const BDKD_DEFAULTS: BdkdOptions = { temperature: 4, scaleByT2: true, emphasisWeight: 2, baseWeight: 1 };

export interface BdkdLoss extends KnowledgeLoss {
  readonly options: BdkdOptions;
}

/** Per-sample entropy [batch] of softmax from log-probabilities; 0 log 0 = 0. */
function entropy(logP: tf.Tensor2D): tf.Tensor1D {
  const p = tf.exp(logP);
  return tf.neg(tf.sum(tf.where(tf.greater(p, 0), tf.mul(p, logP), tf.zerosLike(p)), 1)) as tf.Tensor1D;
}

/**
 * Balanced-divergence KD, the student's objective (Amara et al. 2022): forward and reverse KL mixed
 * per sample by comparing the entropies of the softened outputs, p = softmax(z / T):
 *
 *   student less certain than the teacher, H(p_S) > H(p_T):
 *       w_fwd = baseWeight,     w_rev = emphasisWeight   (mode-seeking reverse KL sharpens the student)
 *   otherwise (the student as confident or over-confident):
 *       w_fwd = emphasisWeight, w_rev = baseWeight       (mean-seeking forward KL spreads its mass)
 *
 *   bdkd = [T^2 x] 1/B sum_i ( w_fwd,i KL(p_T,i || p_S,i) + w_rev,i KL(p_S,i || p_T,i) )
 *
 * The weights are constants of the step (no gradient flows through the comparison), computed in a
 * detached block because `greater` has no gradient. The rule implements the paper's stated idea -
 * sample-wise weighting of forward and reverse KL by the teacher-student entropy gap, to balance the
 * student's confidence; its exact equations and weight values could not be checked against the paper
 * text or published code while writing this, so both weights are options (baseWeight =
 * emphasisWeight gives the plain sum of forward and reverse KL). BD-KD is an
 * online method; the teacher's own reverse-KL regulariser belongs to the online scheme, not this loss.
 */
export function bdkdLoss(options: Partial<BdkdOptions> = {}): BdkdLoss {
  const name = 'bdkd';
  rejectUnknownOptions(name, options, Object.keys(BDKD_DEFAULTS));
  const merged = { ...BDKD_DEFAULTS, ...options };
  const resolved: BdkdOptions = {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'use a temperature > 0, e.g. 4'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
    emphasisWeight: requireNonNegative(name, 'emphasisWeight', merged.emphasisWeight, 'weights are >= 0, e.g. 2'),
    baseWeight: requireNonNegative(name, 'baseWeight', merged.baseWeight, 'weights are >= 0, e.g. 1'),
  };
  const { temperature, emphasisWeight, baseWeight } = resolved;
  return plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      const bdkd = softenedPair(context, name, temperature, ({ zS, logS, logT }) => {
        const classes = zS.shape[1];
        // Both masks come out of detached blocks: no gradient-less op (greater, logicalNot) is on the tape.
        const lessCertainRows = (s: tf.Tensor) => tf.greater(entropy(s as tf.Tensor2D), entropy(logT)) as tf.Tensor1D;
        const studentLessCertain = detached(logS, (s) => broadcastRows(lessCertainRows(s), classes));
        const moreCertain = detached(logS, (s) => broadcastRows(tf.logicalNot(lessCertainRows(s)) as tf.Tensor1D, classes));
        // Each sum below runs over one group of samples; together they weight every sample once per direction.
        const forward = tf.add(tf.mul(rowMaskedKl(logT, logS, studentLessCertain), baseWeight), tf.mul(rowMaskedKl(logT, logS, moreCertain), emphasisWeight));
        const reverse = tf.add(tf.mul(rowMaskedKl(logS, logT, studentLessCertain), emphasisWeight), tf.mul(rowMaskedKl(logS, logT, moreCertain), baseWeight));
        const mean = tf.div(tf.add(forward, reverse), zS.shape[0]) as tf.Scalar;
        return scaledByT2(mean, temperature, resolved.scaleByT2);
      });
      return { bdkd };
    },
  });
}

export const bdkdDefinition: LossDefinition<BdkdOptions> = {
  kind: 'loss',
  name: 'bdkd',
  summary: 'Balanced-divergence KD: per-sample forward/reverse KL weighting chosen by the teacher-student entropy gap',
  knowledge: 'response',
  reference: amara2022,
  defaults: BDKD_DEFAULTS,
  create: (options) => bdkdLoss(options),
};
