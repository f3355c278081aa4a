import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Classifier } from '@distillery/core';

/**
 * A view of a classifier with constants added to chosen logits: Hinton et al.'s fix for a class the
 * transfer set never showed (raise the bias of "3" by 3.5) or over-represented (lower 7 and 8 by 7.6).
 */
export function withClassBias(model: Classifier, offsets: Readonly<Record<number, number>>): Classifier {
  const shift = new Float32Array(model.numClasses);
  for (const [key, value] of Object.entries(offsets)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= model.numClasses) {
      throw new ConfigError(`class ${key} is outside [0, ${model.numClasses - 1}]`, 'name classes by their integer id');
    }
    if (!Number.isFinite(value)) throw new ConfigError(`bias offset for class ${key} is not a finite number`, 'pass a number');
    shift[index] = value;
  }
  return {
    name: `${model.name}+bias`,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    predictLogits: (x) => tf.tidy(() => model.predictLogits(x).add(tf.tensor1d(shift))),
  };
}
