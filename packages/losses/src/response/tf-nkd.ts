import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireNonNegative,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { studentLogits } from '../logits.js';
import { checkLossRequirements } from '../requirements.js';
import { detached } from './detached.js';
import { yang2023 } from './references.js';
import { atLabels, nonTargetLogSoftmax, oneHotLabels } from './targets.js';

export type TfNkdOptions = {
  /** weight of the target term */
  readonly alpha: number;
  /** weight of the non-target term */
  readonly beta: number;
};

/** The official USKD defaults: alpha 1, beta 0.1. */
export const TF_NKD_DEFAULTS: TfNkdOptions = { alpha: 1, beta: 0.1 };

export interface TfNkdLoss extends KnowledgeLoss {
  readonly options: TfNkdOptions;
}

/** Soft target label per sample [batch]: s_t^2 + 1 - mean_batch(s_t^2), s_t = softmax(z)[label]. */
function customizedTargetLabels(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  const squared = tf.square(tf.exp(atLabels(tf.logSoftmax(logits) as tf.Tensor2D, oneHot)));
  return tf.add(tf.sub(squared, tf.mean(squared)), 1) as tf.Tensor1D;
}

/**
 * Zipf soft labels over the non-target classes [batch, classes]: the class ranked r-th (from 0) by the
 * student's own logits, counting every class, gets 1 / (r + 1); the target gets 0; rows are
 * normalised to sum to 1. Ranks are the inverse permutation of the descending order (topk twice).
 */
function zipfNonTargetLabels(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor2D {
  const classes = logits.shape[1];
  const order = tf.topk(logits, classes).indices;
  const ranks = tf.topk(tf.neg(tf.cast(order, 'float32')), classes).indices;
  const zipf = tf.mul(tf.reciprocal(tf.add(tf.cast(ranks, 'float32'), 1)), tf.sub(1, oneHot));
  return tf.div(zipf, tf.sum(zipf, 1, true)) as tf.Tensor2D;
}

/**
 * Teacher-free NKD: the self-KD variant of Yang et al. ICCV 2023 (USKD, "customized soft labels"),
 * following the official `USKDLoss` without its weak-supervision branch:
 *
 *   tfNkdTarget    = -alpha / B sum_i p~_i log s_i,    p~_i = s_i^2 + 1 - mean_batch(s^2)   (s = softmax(z) at the label)
 *   tfNkdNonTarget = -beta / B sum_i sum_{c != y_i} zipf_ic log s^_ic   (s^ = softmax over the non-target classes)
 *
 * with Zipf labels from the student's own ranking of the classes (zipfNonTargetLabels). Both soft
 * labels are constants of the step (detached), as in the official code. Left out: USKD's weak
 * supervision, a linear classifier on an intermediate feature whose output also enters the ranking
 * and adds mu x CE with 0.9/0.1-smoothed labels - it needs a feature tap and a trainable head; here the
 * ranking uses the final logits alone. No teacher is used.
 */
export function tfNkdLoss(options: Partial<TfNkdOptions> = {}): TfNkdLoss {
  const name = 'tf-nkd';
  rejectUnknownOptions(name, options, Object.keys(TF_NKD_DEFAULTS));
  const merged = { ...TF_NKD_DEFAULTS, ...options };
  const resolved: TfNkdOptions = {
    alpha: requireNonNegative(name, 'alpha', merged.alpha, 'the paper uses alpha = 1'),
    beta: requireNonNegative(name, 'beta', merged.beta, 'the paper uses beta = 0.1'),
  };
  const loss: TfNkdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'none', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      return tf.tidy(() => {
        const batch = zS.shape[0];
        const oneHot = oneHotLabels(context.labels, context.numClasses);
        const targetLabels = detached(zS, (z) => customizedTargetLabels(z as tf.Tensor2D, oneHot));
        const nonTargetLabels = detached(zS, (z) => zipfNonTargetLabels(z as tf.Tensor2D, oneHot));
        const logTarget = atLabels(tf.logSoftmax(zS) as tf.Tensor2D, oneHot);
        const target = tf.div(tf.neg(tf.sum(tf.mul(targetLabels, logTarget))), batch);
        const nonTarget = tf.div(tf.neg(tf.sum(tf.mul(nonTargetLabels, nonTargetLogSoftmax(zS, oneHot)))), batch);
        return {
          tfNkdTarget: tf.mul(target, resolved.alpha) as tf.Scalar,
          tfNkdNonTarget: tf.mul(nonTarget, resolved.beta) as tf.Scalar,
        };
      });
    },
  };
  return loss;
}

export const tfNkdDefinition: LossDefinition<TfNkdOptions> = {
  kind: 'loss',
  name: 'tf-nkd',
  summary: 'Teacher-free NKD (USKD): self-distillation with customised target and Zipf non-target soft labels',
  knowledge: 'none',
  reference: yang2023,
  defaults: TF_NKD_DEFAULTS,
  create: (options) => tfNkdLoss(options),
};
