import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireHalfOpenUnit,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { studentLogits } from './logits.js';
import { szegedy2016 } from './references.js';
import { checkLossRequirements } from './requirements.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type CrossEntropyOptions = {
  /** eps in [0, 1): targets become (1 - eps) * onehot + eps / classes */
  readonly labelSmoothing: number;
};

export const CROSS_ENTROPY_DEFAULTS: CrossEntropyOptions = { labelSmoothing: 0 };

export interface CrossEntropyLoss extends KnowledgeLoss {
  readonly options: CrossEntropyOptions;
}

/**
 * Mean softmax cross-entropy with the hard labels, from log-softmax (stable for any finite logits).
 * The supervised half of most distillation objectives; ignores the teacher.
 */
export function crossEntropy(options: Partial<CrossEntropyOptions> = {}): CrossEntropyLoss {
  rejectUnknownOptions('ce', options, Object.keys(CROSS_ENTROPY_DEFAULTS));
  const merged = { ...CROSS_ENTROPY_DEFAULTS, ...options };
  const smoothing = requireHalfOpenUnit('ce', 'labelSmoothing', merged.labelSmoothing, 'use 0 for plain cross-entropy or a small value such as 0.1');
  const name = 'ce';
  const loss: CrossEntropyLoss = {
    name,
    options: { labelSmoothing: smoothing },
    requires: { teacher: 'none', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const logits = studentLogits(context, name);
      const ce = tf.tidy(() => {
        const [batch, classes] = logits.shape;
        const logP = tf.logSoftmax(logits);
        const oneHot = tf.cast(tf.oneHot(context.labels, classes), 'float32');
        const targets = smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / classes) : oneHot;
        return tf.div(tf.neg(tf.sum(tf.mul(targets, logP))), batch) as tf.Scalar;
      });
      return { ce };
    },
  };
  return loss;
}

export const crossEntropyDefinition: LossDefinition<CrossEntropyOptions> = {
  kind: 'loss',
  name: 'ce',
  summary: 'Softmax cross-entropy with the hard labels, optionally label-smoothed; uses no teacher',
  knowledge: 'none',
  reference: szegedy2016,
  defaults: CROSS_ENTROPY_DEFAULTS,
  create: (options) => crossEntropy(options),
};
