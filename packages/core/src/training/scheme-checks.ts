import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../contracts/models.js';
import type { ModelOutputs } from '../contracts/outputs.js';
import type { WeightedLoss } from '../contracts/loss.js';
import { ClassCountMismatchError, ConfigError, InputShapeError } from '../errors.js';

/** Checks shared by every scheme's `prepare`, so misuse fails before the first step. */
export function assertClassCounts(numClasses: number, models: readonly Classifier[]): void {
  for (const model of models) {
    if (model.numClasses !== numClasses) throw new ClassCountMismatchError(`model "${model.name}" vs the dataset`, numClasses, model.numClasses);
  }
}

export function assertInputShape(inputShape: readonly number[], models: readonly Classifier[]): void {
  for (const model of models) {
    if (model.inputShape.join('x') !== inputShape.join('x')) throw new InputShapeError(`model "${model.name}"`, model.inputShape, inputShape);
  }
}

export function assertUnitInterval(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new ConfigError(`${name} must lie in [0, 1], got ${value}`, `${name} weights the hard-label loss against the distillation losses`);
}

export function assertLossWeights(losses: readonly WeightedLoss[]): void {
  for (const { loss, weight } of losses) {
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new ConfigError(`weight of loss "${loss.name}" must be a finite number >= 0, got ${weight}`, 'weights scale each loss term in the objective');
    }
  }
}

/** Per-sample shapes (batch dimension removed) of a model's features, read from one forward pass. */
export function featureShapes(outputs: () => ModelOutputs): Record<string, number[]> {
  return tf.tidy(() => {
    const { features } = outputs();
    return Object.fromEntries(Object.entries(features).map(([name, tensor]) => [name, tensor.shape.slice(1)]));
  });
}

/** Trainable variables owned by losses, by "loss/<loss>/<variable>" names (for optimisers and checkpoints). */
export function lossVariables(losses: readonly WeightedLoss[]): Record<string, tf.Variable> {
  const result: Record<string, tf.Variable> = {};
  losses.forEach(({ loss }, i) => {
    for (const [name, variable] of Object.entries(loss.variables?.() ?? {})) result[`loss/${i}-${loss.name}/${name}`] = variable;
  });
  return result;
}

/** Non-trainable loss state (memory banks, running statistics) by "loss-state/<loss>/<variable>" names, for checkpoints. */
export function lossState(losses: readonly WeightedLoss[]): Record<string, tf.Variable> {
  const result: Record<string, tf.Variable> = {};
  losses.forEach(({ loss }, i) => {
    for (const [name, variable] of Object.entries(loss.state?.() ?? {})) result[`loss-state/${i}-${loss.name}/${name}`] = variable;
  });
  return result;
}

/** Prefixes a record's keys, e.g. a model's state variables under "student/". */
export function prefixed<T>(prefix: string, record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [`${prefix}/${key}`, value]));
}
