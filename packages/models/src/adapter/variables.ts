import * as tf from '@tensorflow/tfjs';

/**
 * The tf.Variable behind a layer weight. `LayerVariable.read()` is typed as Tensor but returns the
 * variable itself, which optimisers and `tf.variableGrads` need; checked at run time, not assumed.
 */
export function variableOf(weight: tf.LayerVariable): tf.Variable {
  const value = weight.read();
  if (!(value instanceof tf.Variable)) {
    throw new TypeError(`weight ${weight.name} is not backed by a tf.Variable`);
  }
  return value;
}

/**
 * Every weight keyed by its layer-scoped name ("hidden1/kernel"), the key tfjs itself writes into
 * model.json; it is stable across processes when layer names are. tfjs's process-unique `name` (which
 * gains "_1" suffixes as models are built) is used only if two weights share a scoped name.
 */
export function weightsByName(weights: readonly tf.LayerVariable[]): Record<string, tf.Variable> {
  const scoped = new Set(weights.map((w) => w.originalName));
  const useScoped = scoped.size === weights.length;
  const result: Record<string, tf.Variable> = {};
  for (const weight of weights) result[useScoped ? weight.originalName : weight.name] = variableOf(weight);
  return result;
}

export function countElements(weights: readonly tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce<number>((product, d) => product * (d ?? 0), 1), 0);
}

/** Projects constrained weights (max-norm) onto their constraint set, as Keras does after each update. */
export function applyWeightConstraints(weights: readonly tf.LayerVariable[]): void {
  for (const weight of weights) {
    const constraint = weight.constraint;
    if (constraint == null) continue;
    tf.tidy(() => {
      const variable = variableOf(weight);
      variable.assign(constraint.apply(variable));
    });
  }
}
