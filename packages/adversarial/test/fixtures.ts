import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '@distillery/core';
import { fitTinyModel, tinyDataset, tinyDenseModel, type TinyDataset } from '@distillery/testkit';

export const ADAM = { name: 'adam', learningRate: 0.02 } as const;
export const SGD = { name: 'sgd', learningRate: 0.1 } as const;
export const PROGRESS = { epoch: 0, step: 0, fraction: 0 } as const;

export function blobs(seed = 0, size = 96): TinyDataset {
  return tinyDataset({ size, features: 4, classes: 3, seed });
}

/** A small student on the blobs (4 features, 3 classes) whose hidden tap "hidden0" has `width` units. */
export function student(seed = 1, width = 8, name = `student-${seed}`): TrainableModel {
  return tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [width], seed, name });
}

/** A teacher fitted to the blobs; its hidden tap "hidden0" has 16 units. */
export function trainedTeacherModel(seed = 3, dataset = blobs(seed)): { model: TrainableModel; dataset: TinyDataset } {
  const model = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed, name: `teacher-${seed}` });
  fitTinyModel(model, dataset, { epochs: 15, learningRate: 0.05, seed });
  return { model, dataset };
}

/** the trainer's context, first batch and batch disposal, shared with every scheme package through the testkit */
export { firstBatch, schemeContextFor as contextFor, disposeBatch as releaseBatch } from '@distillery/testkit';

export function snapshot(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => (v.dataSync() as Float32Array).slice());
}

/** largest |before - now| over the variables */
export function maxChange(variables: readonly tf.Variable[], before: readonly Float32Array[]): number {
  let worst = 0;
  variables.forEach((v, i) => {
    const now = v.dataSync();
    (before[i] as Float32Array).forEach((value, j) => (worst = Math.max(worst, Math.abs(value - (now[j] as number)))));
  });
  return worst;
}

export function read(scalar: tf.Tensor | undefined): number {
  if (!scalar) throw new Error('missing term');
  return scalar.dataSync()[0] as number;
}
