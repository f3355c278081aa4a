import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, InputShapeError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { asTeacher, blackBoxTeacher, mlp } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('asTeacher', () => {
  it('is a white-box, inference-mode view: dropout off, same logits as predictLogits, all taps', () => {
    const model = mlp({ inputSize: 10, hidden: [16, 8], numClasses: 4, dropout: 0.5, seed: 2, name: 'teacher' });
    const teacher = asTeacher(model);
    expect(teacher.access).toBe('white-box');
    expect(teacher.featureNames).toEqual(['hidden1', 'hidden2']);
    expect(teacher.inputShape).toEqual([10]);
    const x = tf.randomNormal([5, 10], 0, 1, 'float32', 3);
    const first = teacher.forward(x);
    const second = teacher.forward(x);
    expect(first.logits.arraySync()).toEqual(second.logits.arraySync());
    expect(first.logits.arraySync()).toEqual(model.predictLogits(x).arraySync());
    expect(first.features['hidden2']?.shape).toEqual([5, 8]);
    // and the student view in training mode does drop units
    expect(model.forward(x, { training: true }).logits.arraySync()).not.toEqual(first.logits.arraySync());
    model.dispose();
  });
});

describe('blackBoxTeacher', () => {
  const probabilities = [
    [0.7, 0.2, 0.1],
    [0, 0.5, 0.5],
  ];
  const teacher = blackBoxTeacher({
    name: 'api',
    numClasses: 3,
    inputShape: [2],
    predictProbabilities: (x) => tf.tensor2d(probabilities.slice(0, x.shape[0])),
  });

  it('reports logits = log(p), clipping zeros at 1e-8, and no features', () => {
    expect(teacher.access).toBe('black-box');
    expect(teacher.featureNames).toEqual([]);
    const out = teacher.forward(tf.zeros([2, 2]));
    expect(out.features).toEqual({});
    const logits = out.logits.arraySync();
    const expected = probabilities.map((row) => row.map((p) => Math.log(Math.max(p, 1e-8))));
    logits.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
    // softmax(log p) gives p back, so response losses see the teacher's distribution
    const back = tf.softmax(out.logits).arraySync();
    back.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(probabilities[i]![j]!, 6)));
    expect(teacher.predictLogits(tf.zeros([2, 2])).arraySync()).toEqual(logits);
  });

  it('checks the input shape and the number of classes it gets back', () => {
    expect(() => teacher.forward(tf.zeros([2, 3]))).toThrow(InputShapeError);
    const wrong = blackBoxTeacher({ name: 'wrong', numClasses: 4, inputShape: [2], predictProbabilities: () => tf.tensor2d(probabilities) });
    expect(() => wrong.forward(tf.zeros([2, 2]))).toThrow(ClassCountMismatchError);
  });
});
