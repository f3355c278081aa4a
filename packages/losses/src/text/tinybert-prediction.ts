import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireBoolean,
  requirePositive,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { studentLogits, teacherLogits } from '../logits.js';
import { checkLossRequirements } from '../requirements.js';
import { stopGradient } from '../stop-gradient.js';
import { jiao2020 } from './references.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type TinyBertPredictionOptions = {
  /** TinyBERT uses T = 1 */
  readonly temperature: number;
  /** multiply by T^2 like the library's `kd` (off by default: TinyBERT does not) */
  readonly scaleByT2: boolean;
};

export const TINYBERT_PREDICTION_DEFAULTS: TinyBertPredictionOptions = { temperature: 1, scaleByT2: false };

export interface TinyBertPredictionLoss extends KnowledgeLoss {
  readonly options: TinyBertPredictionOptions;
  compute(context: StepContext): { tinybertPrediction: tf.Scalar };
}

/**
 * TinyBERT's prediction-layer distillation (Jiao et al. 2020, eq. 10): the soft cross-entropy
 * -sum_c softmax(z_T / T)_c log softmax(z_S / T)_c, averaged over the batch (the official
 * soft_cross_entropy). It differs from `kd` by the teacher's entropy, a constant for the student, so
 * its gradient is kd's; its value is not 0 for identical logits.
 */
export function tinyBertPredictionLoss(options: Partial<TinyBertPredictionOptions> = {}): TinyBertPredictionLoss {
  const name = 'tinybert-prediction';
  rejectUnknownOptions(name, options, Object.keys(TINYBERT_PREDICTION_DEFAULTS));
  const merged = { ...TINYBERT_PREDICTION_DEFAULTS, ...options };
  const resolved: TinyBertPredictionOptions = {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'TinyBERT uses 1'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
  };
  const { temperature } = resolved;
  const scale = resolved.scaleByT2 ? temperature * temperature : 1;
  const loss: TinyBertPredictionLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 2 },
    prepare(setup: LossSetup) {
      checkLossRequirements(loss, setup);
    },
    compute(context) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const tinybertPrediction = tf.tidy((): tf.Scalar => {
        const target = tf.softmax(tf.div(stopGradient(zT), temperature));
        const logS = tf.logSoftmax(tf.div(zS, temperature));
        const ce = tf.div(tf.neg(tf.sum(tf.mul(target, logS))), zS.shape[0]) as tf.Scalar;
        return scale === 1 ? ce : tf.mul(ce, scale);
      });
      return { tinybertPrediction };
    },
  };
  return loss;
}

export const tinyBertPredictionDefinition: LossDefinition<TinyBertPredictionOptions> = {
  kind: 'loss',
  name: 'tinybert-prediction',
  summary: "TinyBERT prediction distillation: soft cross-entropy between the teacher's and the student's softened outputs",
  knowledge: 'response',
  reference: jiao2020,
  defaults: TINYBERT_PREDICTION_DEFAULTS,
  create: (options) => tinyBertPredictionLoss(options),
};
