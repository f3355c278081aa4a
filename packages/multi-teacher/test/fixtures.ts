import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '@distillery/core';
import { fitTinyModel, tinyDataset, tinyDenseModel, type TinyDataset } from '@distillery/testkit';

export const ADAM = { name: 'adam', learningRate: 0.02 } as const;

/** Two trained teachers of different architectures on one tiny 3-class problem, and a fresh student. */
export function teachersAndStudent(seed: number): { dataset: TinyDataset; small: TrainableModel; deep: TrainableModel; student: TrainableModel } {
  const dataset = tinyDataset({ size: 96, features: 4, classes: 3, seed });
  const small = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: seed + 1, name: 'small' });
  const deep = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [12, 10], seed: seed + 2, name: 'deep' });
  fitTinyModel(small, dataset, { epochs: 12, learningRate: 0.05, seed });
  fitTinyModel(deep, dataset, { epochs: 12, learningRate: 0.05, seed: seed + 1 });
  const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: seed + 3, name: 'student' });
  return { dataset, small, deep, student };
}

/** The part of a tiny dense model after its first hidden layer, as a function of that layer's output. */
export function headAfterFirstHidden(model: TrainableModel): (features: tf.Tensor) => tf.Tensor2D {
  const variables = model.trainableVariables();
  const rest = variables.slice(2);
  return (features) => {
    let h = features as tf.Tensor2D;
    for (let i = 0; i < rest.length; i += 2) {
      h = tf.add(tf.matMul(h, rest[i] as tf.Variable as tf.Tensor2D), rest[i + 1] as tf.Variable) as tf.Tensor2D;
      if (i + 2 < rest.length) h = tf.relu(h);
    }
    return h;
  };
}

export function disposeAll(...models: TrainableModel[]): void {
  for (const model of models) model.dispose();
}
