import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { setupShape } from '../feature/features.js';
import { checkLossRequirements } from '../requirements.js';
import { radford2018 } from './references.js';
import { MASK, TOKEN_LOGITS, TOKENS } from './taps.js';
import { nextTokenTargets, readTokenLogits, tokenNll } from './token-targets.js';

/** lm-ce has no options; the alias keeps the registry's JSON-safe typing. */
export type LmCeOptions = Record<string, never>;
export const LM_CE_DEFAULTS: LmCeOptions = {};

export interface LmCeLoss extends KnowledgeLoss {
  readonly options: LmCeOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { lmCe: tf.Scalar };
}

/**
 * Next-token cross-entropy of a causal language model at every position: targets
 * concat(tokens[:, 1:], labels[:, None]) (the text contract), averaged over positions whose token is
 * real and whose target is not [PAD]. exp of it is the batch's perplexity. Needs `tokenLogits`,
 * `tokens` and `mask`: a classifier has none of them and fails in prepare.
 */
export function lmCeLoss(options: Partial<LmCeOptions> = {}): LmCeLoss {
  const name = 'lm-ce';
  rejectUnknownOptions(name, options, []);
  const loss: LmCeLoss = {
    name,
    options: LM_CE_DEFAULTS,
    requires: { teacher: 'none', studentFeatures: [TOKEN_LOGITS, TOKENS, MASK] },
    prepare(setup) {
      checkLossRequirements(loss, setup);
      const shape = setupShape(setup, 'student', TOKEN_LOGITS);
      if (shape.length !== 2 || shape[1] !== setup.numClasses) {
        throw new ConfigError(
          `${name}: student tokenLogits are [${shape.join(', ')}] per sample, expected [length, ${setup.numClasses}] (numClasses = vocabulary size)`,
          'train a language model on next-token windows (languageModelWindows) whose numClasses is the vocabulary size',
        );
      }
    },
    compute(context) {
      const logits = readTokenLogits(context, 'student', name);
      const [batch, length] = logits.shape;
      const lmCe = tf.tidy((): tf.Scalar => {
        const { targets, weights } = nextTokenTargets(context, name, batch, length);
        return tf.div(tf.sum(tf.mul(tokenNll(logits, targets), weights)), tf.maximum(tf.sum(weights), 1));
      });
      return { lmCe };
    },
  };
  return loss;
}

export const lmCeDefinition: LossDefinition<LmCeOptions> = {
  kind: 'loss',
  name: 'lm-ce',
  summary: 'Next-token cross-entropy of a causal language model at every real position (the LM training objective)',
  knowledge: 'none',
  reference: radford2018,
  defaults: LM_CE_DEFAULTS,
  create: (options) => lmCeLoss(options),
};
