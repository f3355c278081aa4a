import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, requireNonNegative, requirePositive, type KnowledgeLoss, type LossDefinition } from '@distillery/core';
import { studentLogits, teacherLogits } from '../logits.js';
import { LOGIT_REQUIREMENTS, plainLoss } from '../plain-loss.js';
import { stopGradient } from '../stop-gradient.js';
import { yang2023 } from './references.js';
import { atLabels, nonTargetLogSoftmax, oneHotLabels } from './targets.js';

export type NkdOptions = {
  /** softens the normalised non-target distributions */
  readonly temperature: number;
  /** weight of the non-target term */
  readonly gamma: number;
};

/** The official cls_KD defaults (ImageNet): T = 1, gamma = 1.5. */
export const NKD_DEFAULTS: NkdOptions = { temperature: 1, gamma: 1.5 };

export interface NkdLoss extends KnowledgeLoss {
  readonly options: NkdOptions;
}

/**
 * Normalized KD (Yang et al. ICCV 2023, the NKD loss of section 3), as in the official `NKDLoss`:
 *
 *   nkdTarget    = -1/B sum_i t_i log s_i          t, s: teacher / student softmax at T = 1, at the label
 *   nkdNonTarget = -gamma T^2 / B sum_i sum_{c != y_i} t^_ic log s^_ic
 *
 * where ^ is the softmax over the non-target classes only at temperature T (the non-target
 * probabilities renormalised to sum to 1, the paper's normalisation). The non-target term is a
 * cross-entropy, not a KL: it includes the teacher's non-target entropy, so it is not 0 when the
 * logits agree. The target term is a teacher-weighted CE and replaces the usual CE's role for the
 * target class. The target class is dropped with the -1000 shift of TARGET_SUPPRESSION.
 */
export function nkdLoss(options: Partial<NkdOptions> = {}): NkdLoss {
  const name = 'nkd';
  rejectUnknownOptions(name, options, Object.keys(NKD_DEFAULTS));
  const merged = { ...NKD_DEFAULTS, ...options };
  const resolved: NkdOptions = {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'the paper uses T = 1 on ImageNet'),
    gamma: requireNonNegative(name, 'gamma', merged.gamma, 'the paper uses gamma = 1.5'),
  };
  const { temperature, gamma } = resolved;
  return plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      const zS = studentLogits(context, name);
      const teacher = teacherLogits(context, name);
      return tf.tidy(() => {
        const zT = stopGradient(teacher);
        const batch = zS.shape[0];
        const oneHot = oneHotLabels(context.labels, context.numClasses);
        const teacherTarget = tf.exp(atLabels(tf.logSoftmax(zT) as tf.Tensor2D, oneHot));
        const studentLogTarget = atLabels(tf.logSoftmax(zS) as tf.Tensor2D, oneHot);
        const nkdTarget = tf.div(tf.neg(tf.sum(tf.mul(teacherTarget, studentLogTarget))), batch) as tf.Scalar;
        const teacherRest = tf.exp(nonTargetLogSoftmax(tf.div(zT, temperature) as tf.Tensor2D, oneHot));
        const studentLogRest = nonTargetLogSoftmax(tf.div(zS, temperature) as tf.Tensor2D, oneHot);
        // teacherRest is exactly 0 at the target, where studentLogRest is about -1000: the product is 0.
        const crossEntropy = tf.div(tf.neg(tf.sum(tf.mul(teacherRest, studentLogRest))), batch);
        const nkdNonTarget = tf.mul(crossEntropy, gamma * temperature * temperature) as tf.Scalar;
        return { nkdTarget, nkdNonTarget };
      });
    },
  });
}

export const nkdDefinition: LossDefinition<NkdOptions> = {
  kind: 'loss',
  name: 'nkd',
  summary: 'Normalized KD: teacher-weighted target CE plus a cross-entropy over the renormalised non-target classes',
  knowledge: 'response',
  reference: yang2023,
  defaults: NKD_DEFAULTS,
  create: (options) => nkdLoss(options),
};
