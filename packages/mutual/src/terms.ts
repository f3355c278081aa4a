import * as tf from '@tensorflow/tfjs';
import type { LossTerms } from '@distillery/core';
import type { Learner } from './learner.js';

/**
 * Prefixes each learner's terms with its key ("peer0.ce", "peer0.total") and adds `total`, the sum of the
 * learners' totals: the quantity the cohort as a whole minimises, which the trainer logs and checks.
 * Takes ownership of the per-learner terms.
 */
export function mergeLearnerTerms(learners: readonly Learner[], perLearner: readonly LossTerms[]): LossTerms {
  const merged: LossTerms = {};
  perLearner.forEach((terms, i) => {
    const key = (learners[i] as Learner).key;
    for (const [name, value] of Object.entries(terms)) merged[`${key}.${name}`] = value;
  });
  merged['total'] = tf.tidy(() => tf.addN(perLearner.map((terms) => terms['total'] as tf.Scalar)) as tf.Scalar);
  return merged;
}

/** Sums named scalar terms with weights (weight 0 terms are still reported, not added). */
export function weightedSum(terms: ReadonlyArray<readonly [tf.Scalar, number]>): tf.Scalar {
  return terms.reduce<tf.Scalar>((total, [value, weight]) => (weight === 0 ? total : (tf.add(total, tf.mul(value, weight)) as tf.Scalar)), tf.scalar(0));
}
