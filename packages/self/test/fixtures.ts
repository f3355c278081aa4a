import * as tf from '@tensorflow/tfjs';
import type { Batch, SchemeContext, TrainableModel } from '@distillery/core';
import { fitTinyModel, tinyDataset, tinyDenseModel, type TinyDataset } from '@distillery/testkit';

export const ADAM = { name: 'adam', learningRate: 0.02 } as const;
export const SGD = { name: 'sgd', learningRate: 0.1 } as const;
export const PROGRESS = { epoch: 0, step: 0, fraction: 0 } as const;

export function blobs(seed = 0, size = 96): TinyDataset {
  return tinyDataset({ size, features: 4, classes: 3, seed });
}

/** a backbone with three taps: hidden0 (10), hidden1 (8), hidden2 (6, the deepest) */
export function backbone(seed = 1): TrainableModel {
  return tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [10, 8, 6], seed, name: `backbone-${seed}` });
}

export function trainedModel(seed = 3): { model: TrainableModel; dataset: TinyDataset } {
  const dataset = blobs(seed);
  const model = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed, name: `trained-${seed}` });
  fitTinyModel(model, dataset, { epochs: 15, learningRate: 0.05, seed });
  return { model, dataset };
}

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

/** Reference arithmetic in float64, independent of tfjs. */
export function softmax(row: readonly number[], t = 1): number[] {
  const scaled = row.map((v) => v / t);
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
export const kl = (p: readonly number[], q: readonly number[]): number => p.reduce((s, pi, i) => s + (pi > 0 ? pi * Math.log(pi / (q[i] as number)) : 0), 0);
export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
export const crossEntropyOf = (rows: readonly number[][], labels: readonly number[]): number =>
  mean(rows.map((row, i) => -Math.log(softmax(row)[labels[i] as number] as number)));
