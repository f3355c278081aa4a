import * as tf from '@tensorflow/tfjs';
import type { LossTerms } from '../contracts/outputs.js';

export interface Objective {
  /** the scalar minimised */
  readonly total: tf.Scalar;
  /** every term to report (the trainer adds `total` itself from the result) */
  readonly terms: LossTerms;
}

/**
 * One optimiser update on `variables` and the reported terms. tf.variableGrads disposes everything
 * the closure creates, so the terms are kept (as clones) across it; the caller (the trainer) disposes
 * them. Variables not listed, such as a frozen teacher's, never receive gradients.
 */
export function gradientStep(optimizer: tf.Optimizer, variables: tf.Variable[], objective: () => Objective): LossTerms {
  const reported: LossTerms = {};
  const { value, grads } = tf.variableGrads(() => {
    const { total, terms } = objective();
    for (const [name, term] of Object.entries(terms)) reported[name] = tf.keep(term.clone());
    reported['total'] = tf.keep(total.clone());
    return total;
  }, variables);
  optimizer.applyGradients(grads);
  value.dispose();
  tf.dispose(grads);
  return reported;
}
