import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassCountMismatchError, ConfigError, EmptyDatasetError, type Classifier } from '@distillery/core';
import { fitTinyModel, tinyDataset, tinyDenseModel, useBackend } from '@distillery/testkit';
import { distillFromAssistantEnsemble, findAssistantWeights, weightedEnsembleTeacher } from '../src/index.js';

const fixed = (name: string, rows: number[][]): Classifier => ({ name, numClasses: 3, inputShape: [4], predictLogits: () => tf.tensor2d(rows) });

beforeAll(async () => {
  await useBackend('cpu');
});

describe('weighted ensemble teacher', () => {
  it('is a black-box teacher answering log(sum_k w_k softmax(z_k)), by hand', async () => {
    const a = [[2, 0, -1]];
    const b = [[0, 3, 1]];
    const teacher = weightedEnsembleTeacher([fixed('a', a), fixed('b', b)], [0.25, 0.75]);
    expect(teacher.access).toBe('black-box');
    expect(teacher.featureNames).toEqual([]);
    const softmax = (z: number[]): number[] => z.map((v) => Math.exp(v) / z.reduce((s, u) => s + Math.exp(u), 0));
    const expected = softmax(a[0]!).map((p, c) => Math.log(0.25 * p + 0.75 * softmax(b[0]!)[c]!));
    const logits = teacher.forward(tf.zeros([1, 4])).logits;
    Array.from(await logits.data()).forEach((v, c) => expect(v).toBeCloseTo(expected[c]!, 5));
  });

  it('rejects weights that are not a convex combination, and members with different class counts', () => {
    const a = fixed('a', [[0, 0, 0]]);
    expect(() => weightedEnsembleTeacher([a, a], [0.5, 0.6])).toThrow(ConfigError);
    expect(() => weightedEnsembleTeacher([a, a], [1])).toThrow(/2 members/);
    expect(() => weightedEnsembleTeacher([a, { ...a, numClasses: 4 }], [0.5, 0.5])).toThrow(ClassCountMismatchError);
  });
});

describe('distillation from a DE-weighted assistant ensemble', () => {
  it('finds normalised weights that favour the better assistant, then distils a student from the mixture', async () => {
    const train = tinyDataset({ size: 96, features: 4, classes: 3, seed: 8, noise: 1 });
    const validation = tinyDataset({ size: 60, features: 4, classes: 3, seed: 8, noise: 1, name: 'validation' });
    const good = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 1, name: 'good' });
    fitTinyModel(good, train, { epochs: 15, learningRate: 0.05 });
    const untrained = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 2, name: 'untrained' });
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 3, name: 'student' });
    const outcome = await distillFromAssistantEnsemble({
      assistants: [good, untrained],
      student,
      train,
      validation,
      evaluation: validation,
      epochs: 8,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.02 },
      search: { generations: 30 },
      seed: 5,
    });
    expect(outcome.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(outcome.weights.every((w) => w >= 0)).toBe(true);
    expect(outcome.weights[0]).toBeGreaterThan(0.8);
    expect(outcome.search.accuracy).toBeGreaterThan(0.85);
    expect(outcome.teacher.access).toBe('black-box');
    expect(outcome.result.final!.metrics['student']!.accuracy).toBeGreaterThan(0.8);
    [good, untrained, student].forEach((m) => m.dispose());
  });

  it('refuses an empty validation set', async () => {
    const model = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    await expect(findAssistantWeights({ assistants: [model], validation: tinyDataset({ size: 0, name: 'empty-validation' }) })).rejects.toBeInstanceOf(EmptyDatasetError);
    await expect(findAssistantWeights({ assistants: [model], validation: tinyDataset({ size: 0 }) })).rejects.toThrow(/no samples/);
    model.dispose();
  });
});
