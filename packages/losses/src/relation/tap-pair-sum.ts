import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, requireNonNegative, type StepContext } from '@distillery/core';
import { readFeature, requireSameBatch } from '../feature/features.js';
import { resolveTapPairs } from '../feature/taps.js';
import { plainLoss, type PlainLoss } from '../plain-loss.js';

/**
 * The options of a batch-relation loss with one weight (pkt, sp): student and teacher taps paired by
 * position, and `beta` multiplying the sum over pairs. A type alias so it satisfies `HyperParameters`.
 */
export type WeightedTapsOptions = {
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** multiplies the term */
  readonly beta: number;
};

/** Checks `options` merged over `defaults` for the loss called `name`; `betaHint` says what weight is usual. */
export function resolveWeightedTaps(name: string, options: Partial<WeightedTapsOptions>, defaults: WeightedTapsOptions, betaHint: string): WeightedTapsOptions {
  rejectUnknownOptions(name, options, Object.keys(defaults));
  const merged = { ...defaults, ...options };
  const taps = resolveTapPairs(name, merged.studentFeatures, merged.teacherFeatures);
  return { studentFeatures: taps.student, teacherFeatures: taps.teacher, beta: requireNonNegative(name, 'beta', merged.beta, betaHint) };
}

/**
 * A white-box loss called `name` with one term, also called `name`: beta x the sum over tap pairs of
 * `pairTerm` (see weightedTapPairSum).
 */
export function weightedTapsLoss<K extends string>(
  name: K,
  options: WeightedTapsOptions,
  pairTerm: (student: tf.Tensor, teacher: tf.Tensor, batch: number) => tf.Scalar,
): PlainLoss<WeightedTapsOptions, Record<K, tf.Scalar>> {
  return plainLoss({
    name,
    options,
    requires: { teacher: 'white-box', studentFeatures: options.studentFeatures, teacherFeatures: options.teacherFeatures },
    compute: (context) => ({ [name]: weightedTapPairSum(context, name, options, pairTerm) }) as Record<K, tf.Scalar>,
  });
}

/**
 * beta x sum over the tap pairs of `term(student, teacher, batch)`, in one tidy; each pair's features
 * are read from the step and must share the batch size.
 */
export function weightedTapPairSum(
  context: StepContext,
  name: string,
  options: WeightedTapsOptions,
  term: (student: tf.Tensor, teacher: tf.Tensor, batch: number) => tf.Scalar,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    let total: tf.Scalar = tf.scalar(0);
    options.studentFeatures.forEach((student, i) => {
      const s = readFeature(context, 'student', student, name);
      const t = readFeature(context, 'teacher', options.teacherFeatures[i] as string, name);
      total = tf.add(total, term(s, t, requireSameBatch(name, s, t)));
    });
    return tf.mul(total, options.beta);
  });
}
