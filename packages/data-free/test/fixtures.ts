import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '@distillery/core';
import { fromLayersModel, deriveSeed, type LayersTrainableModel } from '@distillery/models';
import { fitTinyModel, tinyDataset, tinyDenseModel, type TinyDataset } from '@distillery/testkit';
import { batchNormTaps } from '../src/index.js';

export const ADAM = { name: 'adam', learningRate: 0.01 } as const;
export const SGD = { name: 'sgd', learningRate: 0.05 } as const;
export const PROGRESS = { epoch: 0, step: 0, fraction: 0 } as const;

export function blobs(seed = 0, size = 96): TinyDataset {
  return tinyDataset({ size, features: 4, classes: 3, seed, noise: 0.5 });
}

/** A dense teacher (4 -> 16 -> 3) trained on blobs; its tap "hidden0" plays DAFL's activation feature. */
export function trainedTeacher(seed = 3): { model: TrainableModel; dataset: TinyDataset } {
  const dataset = blobs(seed);
  const model = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed, name: `teacher-${seed}` });
  fitTinyModel(model, dataset, { epochs: 15, learningRate: 0.05, seed });
  return { model, dataset };
}

export function student(seed = 9): TrainableModel {
  return tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed, name: `student-${seed}` });
}

/** A dense teacher with batch norms (4 -> 16 -> BN -> ReLU -> 3), trained on blobs, for DeepInversion. */
export function trainedBatchNormTeacher(seed = 4): { model: LayersTrainableModel; dataset: TinyDataset } {
  const dataset = blobs(seed);
  const input = tf.input({ shape: [4], name: 'input' });
  const kernel = (layer: string) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, layer) });
  let x = tf.layers.dense({ name: 'dense1', units: 16, useBias: false, kernelInitializer: kernel('dense1') }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1', momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'relu1' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ name: 'logits', units: 3, kernelInitializer: kernel('logits') }).apply(x) as tf.SymbolicTensor;
  const layers = tf.model({ inputs: input, outputs: logits, name: `bn-teacher-${seed}` });
  const model = fromLayersModel(layers, { name: `bn-teacher-${seed}`, numClasses: 3, taps: { hidden0: 'relu1', ...batchNormTaps(layers) } });
  fitTinyModel(model, dataset, { epochs: 20, learningRate: 0.05, seed });
  return { model, dataset };
}

/** the trainer's context, first batch and batch disposal, shared with every scheme package through the testkit */
export { firstBatch, schemeContextFor as contextFor, disposeBatch as releaseBatch } from '@distillery/testkit';

export function snapshot(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => (v.dataSync() as Float32Array).slice());
}

export function maxChange(before: readonly Float32Array[], after: readonly Float32Array[]): number {
  let worst = 0;
  before.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (after[i]?.[j] ?? NaN))))));
  return worst;
}

/** Records the names of the variables every applyGradients call of an optimiser receives. */
export function recordUpdates(optimizer: tf.Optimizer): { readonly calls: string[][] } {
  const calls: string[][] = [];
  const original = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (gradients) => {
    calls.push(Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients));
    original(gradients);
  };
  return { calls };
}
