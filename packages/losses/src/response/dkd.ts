import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireFraction,
  requireNonNegative,
  requirePositive,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { klDivergence } from '../divergence.js';
import { studentLogits, teacherLogits } from '../logits.js';
import { checkLossRequirements } from '../requirements.js';
import { linearSchedule } from '../schedules/linear.js';
import { stopGradient } from '../stop-gradient.js';
import { zhao2022 } from './references.js';
import { atLabels, nonTargetLogSoftmax, oneHotLabels, TARGET_SUPPRESSION } from './targets.js';

export type DkdOptions = {
  /** weight of TCKD, the binary target-vs-rest KL */
  readonly alpha: number;
  /** weight of NCKD, the KL among the non-target classes */
  readonly beta: number;
  readonly temperature: number;
  /** both terms ramp linearly from 0 to full weight over this fraction of training; 0 = no warm-up */
  readonly warmupFraction: number;
};

/** mdistiller's CIFAR-100 setting: alpha 1, beta 8, T 4, warm-up 20 of 240 epochs. */
export const DKD_DEFAULTS: DkdOptions = { alpha: 1, beta: 8, temperature: 4, warmupFraction: 20 / 240 };

export interface DkdLoss extends KnowledgeLoss {
  readonly options: DkdOptions;
}

/**
 * Decoupled KD (Zhao et al. 2022, section 3: KD = TCKD + (1 - p_t^T) NCKD; DKD replaces the coupled
 * weights by alpha TCKD + beta NCKD), following mdistiller's `dkd_loss`, with p = softmax(z / T):
 *
 *   TCKD = T^2 / B sum_i KL(b_T,i || b_S,i), b = [p_target, 1 - p_target]   (binary: target vs rest)
 *   NCKD = T^2 / B sum_i KL(p^_T,i || p^_S,i), p^ = softmax(z / T - 1000 onehot)   (non-target classes)
 *
 * Terms: tckd = w alpha TCKD, nckd = w beta NCKD, with w = min(fraction / warmupFraction, 1) - mdistiller's
 * `min(epoch / warmup, 1)` on the fraction of training. log b is computed from log-softmax and a
 * log-sum-exp over the non-target classes, not as log of summed probabilities, so it stays finite.
 * Needs >= 3 classes: with 2, the non-target distribution has a single class and NCKD is always 0.
 */
export function dkdLoss(options: Partial<DkdOptions> = {}): DkdLoss {
  const name = 'dkd';
  rejectUnknownOptions(name, options, Object.keys(DKD_DEFAULTS));
  const merged = { ...DKD_DEFAULTS, ...options };
  const resolved: DkdOptions = {
    alpha: requireNonNegative(name, 'alpha', merged.alpha, 'the paper uses alpha = 1'),
    beta: requireNonNegative(name, 'beta', merged.beta, 'the paper uses beta = 8 on CIFAR-100, 0.5 on ImageNet'),
    temperature: requirePositive(name, 'temperature', merged.temperature, 'the paper uses T = 4 on CIFAR-100, 1 on ImageNet'),
    warmupFraction: requireFraction(name, 'warmupFraction', merged.warmupFraction, 'a fraction of training such as 20 / 240; 0 disables the warm-up'),
  };
  const { alpha, beta, temperature } = resolved;
  const warmup = linearSchedule({ from: 0, to: 1, end: resolved.warmupFraction });
  const loss: DkdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 3 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const weight = warmup(context.progress.fraction);
      const scale = temperature * temperature * weight;
      return tf.tidy(() => {
        const oneHot = oneHotLabels(context.labels, context.numClasses);
        const scaledS = tf.div(zS, temperature) as tf.Tensor2D;
        const scaledT = tf.div(stopGradient(zT), temperature) as tf.Tensor2D;
        const binary = (scaled: tf.Tensor2D): tf.Tensor2D => {
          const logTarget = atLabels(tf.logSoftmax(scaled) as tf.Tensor2D, oneHot);
          // log(1 - p_target) = logsumexp over the other classes - logsumexp over all classes
          const logRest = tf.sub(tf.logSumExp(tf.sub(scaled, tf.mul(oneHot, TARGET_SUPPRESSION)), 1), tf.logSumExp(scaled, 1));
          return tf.stack([logTarget, logRest], 1) as tf.Tensor2D;
        };
        const tckd = klDivergence(binary(scaledT), binary(scaledS), 'batchmean');
        const nckd = klDivergence(nonTargetLogSoftmax(scaledT, oneHot), nonTargetLogSoftmax(scaledS, oneHot), 'batchmean');
        return { tckd: tf.mul(tckd, alpha * scale) as tf.Scalar, nckd: tf.mul(nckd, beta * scale) as tf.Scalar };
      });
    },
  };
  return loss;
}

export const dkdDefinition: LossDefinition<DkdOptions> = {
  kind: 'loss',
  name: 'dkd',
  summary: 'Decoupled KD: target-class (TCKD) and non-target-class (NCKD) KL weighted separately, with warm-up',
  knowledge: 'response',
  reference: zhao2022,
  defaults: DKD_DEFAULTS,
  create: (options) => dkdLoss(options),
};
