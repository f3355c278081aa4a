import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireNonNegative } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, LossTerms, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireSameBatch } from '../feature/features.js';
import { flattenSamples } from '../feature/normalize.js';
import { resolveTapPairs } from '../feature/taps.js';
import { pairwiseDistances, smoothL1, tripletAngles } from './pairwise.js';
import { park2019 } from './references.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type RkdOptions = {
  /** taps paired by position; features of any shape, flattened per sample */
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** weight of the distance term; 25 in the paper's code (lenscloth/RKD, RepDistiller's RKDLoss w_d) */
  readonly distanceWeight: number;
  /** weight of the angle term; 50 in the paper's code (w_a) */
  readonly angleWeight: number;
};

export const RKD_DEFAULTS: RkdOptions = { studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], distanceWeight: 25, angleWeight: 50 };

export interface RkdLoss extends KnowledgeLoss {
  readonly options: RkdOptions;
  prepare(setup: LossSetup): void;
  /** a term whose weight is 0 is absent */
  compute(context: StepContext): { rkdDistance?: tf.Scalar; rkdAngle?: tf.Scalar };
}

function resolveRkdOptions(options: Partial<RkdOptions>): RkdOptions {
  rejectUnknownOptions('rkd', options, Object.keys(RKD_DEFAULTS));
  const merged = { ...RKD_DEFAULTS, ...options };
  const taps = resolveTapPairs('rkd', merged.studentFeatures, merged.teacherFeatures);
  const resolved = {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    distanceWeight: requireNonNegative('rkd', 'distanceWeight', merged.distanceWeight, 'use a weight >= 0; the paper uses 25'),
    angleWeight: requireNonNegative('rkd', 'angleWeight', merged.angleWeight, 'use a weight >= 0; the paper uses 50'),
  };
  if (resolved.distanceWeight === 0 && resolved.angleWeight === 0) {
    throw new ConfigError('rkd: distanceWeight and angleWeight are both 0', 'give at least one of the two terms a positive weight');
  }
  return resolved;
}

/** RKD-D: smooth L1 between distance matrices, each divided by its mean off-diagonal distance; mean over B^2. */
export function rkdDistance(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const batch = student.shape[0];
    const normalised = (e: tf.Tensor2D) => {
      const d = pairwiseDistances(e);
      // RepDistiller takes the mean over d > 0: every off-diagonal pair, since d >= 1e-6 there
      return tf.div(d, tf.div(tf.sum(d), batch * (batch - 1)));
    };
    return tf.mean(smoothL1(tf.sub(normalised(student), normalised(teacher))));
  });
}

/** RKD-A: smooth L1 between the cosines of all triplet angles; mean over B^3. */
export function rkdAngle(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(smoothL1(tf.sub(tripletAngles(student), tripletAngles(teacher)))));
}

/**
 * Relational knowledge distillation (Park et al., CVPR 2019) on flattened features, as the authors'
 * code (RepDistiller's RKDLoss): terms `rkdDistance` = w_d * smoothL1(psi_D) and `rkdAngle` =
 * w_a * smoothL1(psi_A), each summed over tap pairs; a term whose weight is 0 is left out (the angle
 * term costs B^3). Both are invariant to scaling either network's features. Needs a batch of >= 2.
 */
export function rkdLoss(options: Partial<RkdOptions> = {}): RkdLoss {
  const resolved = resolveRkdOptions(options);
  const name = 'rkd';
  const pairs = resolved.studentFeatures.map((student, i) => ({ student, teacher: resolved.teacherFeatures[i] as string }));

  const loss: RkdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext): LossTerms {
      return tf.tidy(() => {
        let distance: tf.Scalar = tf.scalar(0);
        let angle: tf.Scalar = tf.scalar(0);
        for (const pair of pairs) {
          const s = readFeature(context, 'student', pair.student, name);
          const t = readFeature(context, 'teacher', pair.teacher, name);
          const batch = requireSameBatch(name, s, t);
          if (batch < 2) throw new ConfigError(`rkd: a batch of ${batch} has no pairs of samples`, 'use batches of 2 or more samples (drop a last batch of 1)');
          const [fs, ft] = [flattenSamples(s), flattenSamples(t)];
          if (resolved.distanceWeight > 0) distance = tf.add(distance, rkdDistance(fs, ft));
          if (resolved.angleWeight > 0) angle = tf.add(angle, rkdAngle(fs, ft));
        }
        const terms: LossTerms = {};
        if (resolved.distanceWeight > 0) terms['rkdDistance'] = tf.mul(distance, resolved.distanceWeight);
        if (resolved.angleWeight > 0) terms['rkdAngle'] = tf.mul(angle, resolved.angleWeight);
        return terms;
      });
    },
  };
  return loss;
}

export const rkdDefinition: LossDefinition<RkdOptions> = {
  kind: 'loss',
  name: 'rkd',
  summary: 'Relational KD: smooth-L1 between mean-normalised pairwise distances (x25) and triplet angles (x50) of student and teacher',
  knowledge: 'relation',
  reference: park2019,
  defaults: RKD_DEFAULTS,
  create: (options) => rkdLoss(options),
};
