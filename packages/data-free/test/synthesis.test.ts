import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@distillery/core';
import { tinyTeacher, useBackend } from '@distillery/testkit';
import { batchNormTeacher, deepInversion, fewShotMixup, lenet5Bn, mixup, noiseDataset, sampleBeta } from '../src/index.js';
import { PROGRESS, SGD, contextFor, firstBatch, releaseBatch, student, trainedBatchNormTeacher, trainedTeacher } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('mixup', () => {
  it('each image is lambda x_i + (1 - lambda) x_j of the drawn pair, lambda in [0, 1]', () => {
    const pool = tf.tensor2d([[0, 0], [1, 10], [2, 20], [3, 30]]);
    const { images, first, second, lambdas } = mixup(pool, 50, mulberry32(5), 0.4);
    const rows = images.arraySync() as number[][];
    rows.forEach((row, k) => {
      const lambda = lambdas[k] as number;
      expect(lambda).toBeGreaterThanOrEqual(0);
      expect(lambda).toBeLessThanOrEqual(1);
      const expected = lambda * (first[k] as number) + (1 - lambda) * (second[k] as number);
      expect(row[0]).toBeCloseTo(expected, 5);
      expect(row[1]).toBeCloseTo(10 * expected, 4);
    });
    tf.dispose([pool, images]);
  });

  it('Beta(alpha, alpha) has mean 1/2 and variance 1 / (4 (2 alpha + 1))', () => {
    for (const alpha of [0.4, 1, 2]) {
      const random = mulberry32(11);
      const draws = Array.from({ length: 20000 }, () => sampleBeta(random, alpha));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
      expect(mean).toBeCloseTo(0.5, 1);
      expect(Math.abs(variance - 1 / (4 * (2 * alpha + 1)))).toBeLessThan(0.006);
    }
  });

  it('few-shot-mixup labels mixed images by teacher queries only: fresh mode asks every update, a fixed set asks once', async () => {
    const { model, dataset } = trainedTeacher(41);
    const s = student(42);
    const batch = firstBatch(dataset, 16);
    const fresh = fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: SGD, iterationsPerStep: 3 });
    fresh.prepare(contextFor(dataset), batch);
    tf.dispose(fresh.step(batch, PROGRESS));
    expect(fresh.teacherQueries).toBe(3 * 16);
    const fixed = fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: SGD, syntheticSize: 500 });
    fixed.prepare(contextFor(dataset), batch);
    expect(fixed.teacherQueries).toBe(500);
    for (let i = 0; i < 4; i++) tf.dispose(fixed.step(batch, { ...PROGRESS, step: i }));
    expect(fixed.teacherQueries).toBe(500);
    releaseBatch(batch);
    [fresh, fixed].forEach((x) => x.dispose());
    [model, s].forEach((m) => m.dispose());
  });
});

describe('noiseDataset', () => {
  it('sample i is the same values in any batch order; moments follow mean and std', () => {
    const data = noiseDataset({ size: 40, inputShape: [8, 8, 1], numClasses: 10, seed: 3, mean: 0.1307, std: 0.3081 });
    const byIndex = new Map<number, number[]>();
    const all: number[] = [];
    for (const epoch of [0, 1]) {
      for (const batch of data.batches({ batchSize: 16, shuffle: true, seed: 1, epoch })) {
        const x = batch.x.arraySync() as number[][][][];
        (batch.index.arraySync() as number[]).forEach((index, row) => {
          const values = (x[row] as number[][][]).flat(2);
          const seen = byIndex.get(index);
          if (seen) expect(values).toEqual(seen);
          else byIndex.set(index, values);
          if (epoch === 0) all.push(...values);
        });
        tf.dispose([batch.x, batch.y, batch.index]);
      }
    }
    expect(byIndex.size).toBe(40);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(mean).toBeCloseTo(0.1307, 1);
    expect(std).toBeCloseTo(0.3081, 1);
  });
});

describe('deep inversion', () => {
  it('more inversion steps lower both the cross-entropy to the targets and the batch-norm statistic loss', async () => {
    const { model, dataset } = trainedBatchNormTeacher(43);
    const batch = firstBatch(dataset, 24);
    const run = (inversionSteps: number) => {
      const s = student(44);
      const scheme = deepInversion({ teacher: batchNormTeacher(model), student: s, optimizer: SGD, inversionSteps, batchNormWeight: 0.5, tvL2Weight: 0, jitter: 0 });
      scheme.prepare(contextFor(dataset), batch);
      const terms = scheme.step(batch, PROGRESS);
      const values = { ce: terms['ce']!.dataSync()[0] as number, batchNorm: terms['batchNorm']!.dataSync()[0] as number };
      tf.dispose(terms);
      scheme.dispose();
      s.dispose();
      return values;
    };
    const one = run(1);
    const many = run(80);
    expect(many.ce).toBeLessThan(one.ce * 0.5);
    expect(many.ce).toBeLessThan(0.2);
    expect(many.batchNorm).toBeLessThan(one.batchNorm);
    releaseBatch(batch);
    model.dispose();
  });

  it('lenet5Bn exposes every batch norm\'s input and its live moving statistics; images get jitter and TV', async () => {
    const teacherModel = lenet5Bn({ numClasses: 10, seed: 1 });
    const teacher = batchNormTeacher(teacherModel);
    expect(teacher.batchNormStatistics.map((s) => s.feature)).toEqual(['bn:conv1_bn', 'bn:conv2_bn', 'bn:fc1_bn', 'bn:fc2_bn']);
    const layerStats = teacherModel.layersModel.getLayer('conv1_bn').weights.filter((w) => w.originalName.includes('moving')).map((w) => w.read());
    expect(teacher.batchNormStatistics[0]!.mean).toBe(layerStats[0]);
    const x = tf.randomNormal([3, 32, 32, 1], 0, 1, 'float32', 2);
    const features = teacher.forward(x).features;
    expect(features['bn:conv1_bn']!.shape).toEqual([3, 28, 28, 6]);
    expect(features['bn:fc2_bn']!.shape).toEqual([3, 84]);
    const linear = teacherModel.layersModel.getLayer('conv1_linear').apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(linear, features['bn:conv1_bn']!))).dataSync()[0]).toBe(0);

    const s = lenet5Bn({ numClasses: 10, seed: 2, variant: 'half-dafl' });
    const scheme = deepInversion({ teacher, student: s, optimizer: SGD, inversionSteps: 2, tvL1Weight: 0.01 });
    const data = noiseDataset({ size: 4, inputShape: [32, 32, 1], numClasses: 10, seed: 1 });
    const batch = [...data.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 })][0]!;
    scheme.prepare({ numClasses: 10, inputShape: [32, 32, 1], datasetSize: 4, epochs: 1, stepsPerEpoch: 1, totalSteps: 1, seed: 0, train: data }, batch);
    const terms = scheme.step(batch, PROGRESS);
    expect(Object.keys(terms).sort()).toEqual(['batchNorm', 'ce', 'inversion', 'kd', 'total', 'tvL1', 'tvL2']);
    for (const value of Object.values(terms)) expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    tf.dispose([terms, x, linear, batch.x, batch.y, batch.index]);
    scheme.dispose();
    [teacherModel, s].forEach((m) => m.dispose());
  });
});
