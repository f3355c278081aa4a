import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { klDivergence, REDUCTIONS } from '../divergence.js';
import type { Reduction } from '../divergence.js';
import { studentLogits, teacherLogits } from '../logits.js';
import { rejectUnknownOptions, requireBoolean, requireOneOf, requirePositiveNumber } from '../options.js';
import { checkLossRequirements } from '../requirements.js';
import { stopGradient } from '../stop-gradient.js';
import { lin1991 } from './references.js';
import { softenedLogProbs } from './softened.js';

export type JsOptions = {
  readonly temperature: number;
  readonly scaleByT2: boolean;
  readonly reduction: Reduction;
};

export const JS_DEFAULTS: JsOptions = { temperature: 4, scaleByT2: true, reduction: 'batchmean' };

export interface JsLoss extends KnowledgeLoss {
  readonly options: JsOptions;
}

/**
 * Jensen-Shannon divergence (Lin 1991, the JS divergence with equal weights 1/2):
 * JS = 1/2 KL(p_T || m) + 1/2 KL(p_S || m), m = (p_T + p_S) / 2, p = softmax(z / T), [x T^2].
 * Symmetric and bounded by log 2 per sample, so one confidently wrong class cannot dominate the batch.
 * log m = logsumexp(log p_T, log p_S) - log 2 is formed from log-probabilities, never from log of a sum.
 */
export function jsDivergence(options: Partial<JsOptions> = {}): JsLoss {
  const name = 'js';
  rejectUnknownOptions(name, options, Object.keys(JS_DEFAULTS));
  const merged = { ...JS_DEFAULTS, ...options };
  const resolved: JsOptions = {
    temperature: requirePositiveNumber(name, 'temperature', merged.temperature, 'use a temperature > 0, e.g. 1 or 4'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
    reduction: requireOneOf(name, 'reduction', merged.reduction, REDUCTIONS),
  };
  const { temperature, reduction } = resolved;
  const loss: JsLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const js = tf.tidy((): tf.Scalar => {
        const logS = softenedLogProbs(zS, temperature);
        const logT = softenedLogProbs(stopGradient(zT), temperature);
        const logM = tf.sub(tf.logSumExp(tf.stack([logT, logS]), 0), Math.log(2)) as tf.Tensor2D;
        const divergence = tf.mul(tf.add(klDivergence(logT, logM, reduction), klDivergence(logS, logM, reduction)), 0.5);
        return (resolved.scaleByT2 ? tf.mul(divergence, temperature * temperature) : divergence) as tf.Scalar;
      });
      return { js };
    },
  };
  return loss;
}

export const jsDefinition: LossDefinition<JsOptions> = {
  kind: 'loss',
  name: 'js',
  summary: 'Jensen-Shannon divergence between temperature-softened teacher and student outputs (symmetric, bounded)',
  knowledge: 'response',
  reference: lin1991,
  defaults: JS_DEFAULTS,
  create: (options) => jsDivergence(options),
};
