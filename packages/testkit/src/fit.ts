import * as tf from '@tensorflow/tfjs';
import type { Dataset, TrainableModel } from '@distillery/core';
import { disposeBatch } from './tiny-dataset.js';

export interface FitOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly seed?: number;
}

/** Plain cross-entropy training with Adam, e.g. to give a tiny teacher something worth distilling. */
export function fitTinyModel(model: TrainableModel, dataset: Dataset, options: FitOptions = {}): number {
  const optimizer = tf.train.adam(options.learningRate ?? 0.05);
  let last = NaN;
  try {
    for (let epoch = 0; epoch < (options.epochs ?? 20); epoch++) {
      for (const batch of dataset.batches({ batchSize: options.batchSize ?? 32, shuffle: true, seed: options.seed ?? 0, epoch })) {
        const cost = optimizer.minimize(
          () =>
            tf.tidy(() => {
              const logits = model.forward(batch.x, { training: true }).logits;
              const onehot = tf.oneHot(batch.y, dataset.numClasses);
              return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
            }),
          true,
          model.trainableVariables(),
        );
        if (cost) {
          last = cost.dataSync()[0] as number;
          cost.dispose();
        }
        disposeBatch(batch);
      }
    }
  } finally {
    optimizer.dispose();
  }
  return last;
}
