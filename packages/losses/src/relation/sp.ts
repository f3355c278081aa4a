import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { rejectUnknownOptions } from '../options.js';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireSameBatch } from '../feature/features.js';
import { flattenSamples, l2Normalize } from '../feature/normalize.js';
import { requireNonNegativeNumber } from '../feature/options.js';
import { resolveTapPairs } from '../feature/taps.js';
import { tung2019 } from './references.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type SpOptions = {
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** multiplies the term; 3000 is RepDistiller's weight for SP (`-b 3000`), the paper's gamma */
  readonly beta: number;
};

export const SP_DEFAULTS: SpOptions = { studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], beta: 3000 };

export interface SpLoss extends KnowledgeLoss {
  readonly options: SpOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { sp: tf.Scalar };
}

function resolveSpOptions(options: Partial<SpOptions>): SpOptions {
  rejectUnknownOptions('sp', options, Object.keys(SP_DEFAULTS));
  const merged = { ...SP_DEFAULTS, ...options };
  const taps = resolveTapPairs('sp', merged.studentFeatures, merged.teacherFeatures);
  return {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    beta: requireNonNegativeNumber('sp', 'beta', merged.beta, 'use a weight >= 0; RepDistiller uses 3000'),
  };
}

/** G = row-L2-normalised (Q Q^T) for flattened activations Q [B, D] -> [B, B] (the paper's eq. 2-3). */
export function similarityMatrix(features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => l2Normalize(tf.matMul(features, features, false, true), 1) as tf.Tensor2D);
}

/**
 * Similarity-preserving KD (Tung & Mori, ICCV 2019): (1 / B^2) ||G_T - G_S||_F^2 per tap pair (eq. 4;
 * RepDistiller's Similarity, "verified by original author"), summed over pairs, times `beta`.
 * Invariant to scaling either network's features; dimensions may differ.
 */
export function spLoss(options: Partial<SpOptions> = {}): SpLoss {
  const resolved = resolveSpOptions(options);
  const name = 'sp';
  const pairs = resolved.studentFeatures.map((student, i) => ({ student, teacher: resolved.teacherFeatures[i] as string }));

  const loss: SpLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const sp = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        for (const pair of pairs) {
          const s = readFeature(context, 'student', pair.student, name);
          const t = readFeature(context, 'teacher', pair.teacher, name);
          const batch = requireSameBatch(name, s, t);
          const difference = tf.sub(similarityMatrix(flattenSamples(t)), similarityMatrix(flattenSamples(s)));
          total = tf.add(total, tf.div(tf.sum(tf.square(difference)), batch * batch));
        }
        return tf.mul(total, resolved.beta);
      });
      return { sp };
    },
  };
  return loss;
}

export const spDefinition: LossDefinition<SpOptions> = {
  kind: 'loss',
  name: 'sp',
  summary: 'Similarity-preserving KD: Frobenius distance between row-normalised batch similarity matrices Q Q^T, over B^2',
  knowledge: 'relation',
  reference: tung2019,
  defaults: SP_DEFAULTS,
  create: (options) => spLoss(options),
};
