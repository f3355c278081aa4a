import * as tf from '@tensorflow/tfjs';
import { createOptimizer, gradientStep } from '@distillery/core';
import { beforeAll, expect, it } from 'vitest';
import { transformerClassifier } from '../../src/index.js';
import { tokenRows } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('keeps tf.memory().numTensors flat over 1,000 training steps of a tiny Transformer student (dropout on)', () => {
  const model = transformerClassifier({ vocabSize: 8, maxLength: 4, width: 4, heads: 2, ffWidth: 4, layers: 1, numClasses: 2, dropout: 0.1, seed: 5 });
  const optimizer = createOptimizer({ name: 'adam', learningRate: 1e-3 });
  const x = tf.tensor2d(tokenRows([4, 2], 4, 8, 1), undefined, 'int32');
  const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
  const counts: number[] = [];
  for (let step = 0; step < 1000; step++) {
    const terms = gradientStep(optimizer, model.trainableVariables(), () => {
      const { logits, features } = model.forward(x, { training: true });
      const ce = tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      // a feature term as a distillation loss would add, so taps take part in the backward pass
      const hint = tf.mean(tf.square(features['hidden.1'] as tf.Tensor)) as tf.Scalar;
      return { total: tf.add(ce, tf.mul(hint, 0.01)) as tf.Scalar, terms: { ce } };
    });
    tf.dispose(terms);
    counts.push(tf.memory().numTensors);
  }
  // Adam creates its slots on the first step; from then on nothing may accumulate
  const settled = counts.slice(1);
  expect({ growth: Math.max(...settled) - (settled[0] as number), last: (settled.at(-1) as number) - (settled[0] as number) }).toEqual({ growth: 0, last: 0 });
  expect(Array.from((model.stateVariables()['dropout/calls'] as tf.Variable).dataSync())).toEqual([1000]);
  tf.dispose([x, labels]);
  optimizer.dispose();
  const before = tf.memory().numTensors;
  const owned = Object.keys(model.stateVariables()).length;
  model.dispose();
  expect(tf.memory().numTensors).toBe(before - owned);
});
