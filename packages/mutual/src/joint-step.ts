import * as tf from '@tensorflow/tfjs';
import type { LossTerms, Objective } from '@distillery/core';

export interface OptimizerGroup {
  readonly optimizer: tf.Optimizer;
  readonly variables: readonly tf.Variable[];
}

/**
 * One backward pass over several models, each updated by its own optimiser: the gradient of the
 * summed objective is split by variable and every group applies its share. For objectives whose terms
 * each depend on one model only (the cross-model targets are stop-gradients), this equals one
 * separate step per model at the cost of a single forward pass each.
 */
export function jointGradientStep(groups: readonly OptimizerGroup[], objective: () => Objective): LossTerms {
  const reported: LossTerms = {};
  const variables = groups.flatMap((g) => g.variables);
  const { value, grads } = tf.variableGrads(() => {
    const { total, terms } = objective();
    for (const [name, term] of Object.entries(terms)) reported[name] = tf.keep(term.clone());
    reported['total'] = tf.keep(total.clone());
    return total;
  }, variables);
  try {
    for (const { optimizer, variables: own } of groups) {
      const share: tf.NamedTensorMap = {};
      for (const variable of own) {
        const grad = grads[variable.name];
        if (grad) share[variable.name] = grad;
      }
      if (Object.keys(share).length > 0) optimizer.applyGradients(share);
    }
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
  return reported;
}
