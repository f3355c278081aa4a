import * as tf from '@tensorflow/tfjs';
import type { Batch, SchemeContext, TrainableModel } from '@distillery/core';
import { fitTinyModel, tinyDataset, tinyDenseModel, type TinyDataset } from '@distillery/testkit';

export const ADAM = { name: 'adam', learningRate: 0.02 } as const;
export const SGD = { name: 'sgd', learningRate: 0.1 } as const;

/** Two peers of different architectures on 4 features and 3 classes. */
export function twoPeers(seed = 1): [TrainableModel, TrainableModel] {
  return [
    tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed, name: `peer-a-${seed}` }),
    tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [12, 6], seed: seed + 50, name: `peer-b-${seed}` }),
  ];
}

export function blobs(seed = 0, size = 96): TinyDataset {
  return tinyDataset({ size, features: 4, classes: 3, seed });
}

export function trainedTeacherModel(seed = 3): { model: TrainableModel; dataset: TinyDataset } {
  const dataset = blobs(seed);
  const model = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed, name: 'teacher' });
  fitTinyModel(model, dataset, { epochs: 15, learningRate: 0.05, seed });
  return { model, dataset };
}

/** What the trainer hands `prepare`, for tests that drive a scheme by hand. */
export function contextFor(dataset: TinyDataset, batchSize = 16, epochs = 1): SchemeContext {
  const stepsPerEpoch = Math.ceil(dataset.size / batchSize);
  return { numClasses: dataset.numClasses, inputShape: dataset.inputShape, datasetSize: dataset.size, epochs, stepsPerEpoch, totalSteps: stepsPerEpoch * epochs, seed: 0, train: dataset };
}

export function firstBatch(dataset: TinyDataset, batchSize = 16): Batch {
  for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) return batch;
  throw new Error('empty dataset');
}

export function releaseBatch(batch: Batch): void {
  tf.dispose([batch.x, batch.y, batch.index]);
}

export function snapshot(model: TrainableModel): Float32Array[] {
  return model.trainableVariables().map((v) => (v.dataSync() as Float32Array).slice());
}

export function maxChange(before: readonly Float32Array[], after: readonly Float32Array[]): number {
  let worst = 0;
  before.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (after[i]?.[j] ?? NaN))))));
  return worst;
}

export const PROGRESS = { epoch: 0, step: 0, fraction: 0 } as const;
