import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition } from '@distillery/core';
import { klDivergence } from '../divergence.js';
import { LOGIT_REQUIREMENTS, plainLoss } from '../plain-loss.js';
import { lin1991 } from './references.js';
import { scaledByT2, softenedPair } from './softened.js';
import { resolveSoftenedDivergenceOptions, type SoftenedDivergenceOptions } from './softened-options.js';

export type JsOptions = SoftenedDivergenceOptions;

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
  const resolved = resolveSoftenedDivergenceOptions(name, options, JS_DEFAULTS);
  const { temperature, reduction } = resolved;
  return plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      const js = softenedPair(context, name, temperature, ({ logS, logT }) => {
        const logM = tf.sub(tf.logSumExp(tf.stack([logT, logS]), 0), Math.log(2)) as tf.Tensor2D;
        const divergence = tf.mul(tf.add(klDivergence(logT, logM, reduction), klDivergence(logS, logM, reduction)), 0.5) as tf.Scalar;
        return scaledByT2(divergence, temperature, resolved.scaleByT2);
      });
      return { js };
    },
  });
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
