import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer, evaluateModels } from '@distillery/core';
import { tinyTeacher, useBackend } from '@distillery/testkit';
import { adversarialDataFree, dafl, denseGenerator, fewShotMixup, noiseDataset } from '../src/index.js';
import { blobs, student, trainedTeacher } from './fixtures.js';

/**
 * Tiny end-to-end runs on the cpu backend (seconds): a teacher trained on 3 Gaussian blobs in 4-D, a
 * student that never sees them, evaluated on the blobs. Chance is 1/3; the untrained student is measured.
 */
beforeAll(async () => {
  await useBackend('cpu');
});

const ADAM = { name: 'adam', learningRate: 0.01 } as const;
const generator = (seed: number) => denseGenerator({ outputShape: [4], latentDim: 16, hidden: [32], seed, scale: { mean: 0, std: 2 } });
/** 20 steps of 64 per epoch; the data-free schemes read only the batch size */
const clock = noiseDataset({ size: 20 * 64, inputShape: [4], numClasses: 3, seed: 1 });

async function accuracy(model: Parameters<typeof evaluateModels>[0][string], data: ReturnType<typeof blobs>): Promise<number> {
  const metrics = await evaluateModels({ model }, data);
  return metrics['model']!.accuracy;
}

describe('data-free students learn the teacher\'s task without its data', () => {
  it('dafl and dfad lift a student from its initial accuracy to well above chance', async () => {
    const { model, dataset } = trainedTeacher(61);
    const test = blobs(61, 300);
    const teacher = tinyTeacher(model);
    expect(await accuracy(model, test)).toBeGreaterThan(0.9);
    for (const build of [
      (s: ReturnType<typeof student>) => dafl({ teacher, student: s, generator, optimizer: ADAM, generatorOptimizer: { name: 'adam', learningRate: 0.01 }, activationFeature: 'hidden0' }),
      (s: ReturnType<typeof student>) => adversarialDataFree({ teacher, student: s, generator, optimizer: ADAM, studentSteps: 2 }),
    ]) {
      const s = student(62);
      const before = await accuracy(s, test);
      const scheme = build(s);
      const result = await new Trainer({ scheme, train: clock, evaluation: test, epochs: 3, batchSize: 64, seed: 1 }).fit();
      const after = result.final!.metrics['student']!.accuracy;
      expect(after, scheme.name).toBeGreaterThan(0.75);
      expect(after, scheme.name).toBeGreaterThan(before + 0.2);
      scheme.dispose();
      s.dispose();
    }
    void dataset;
    model.dispose();
  });

  it('few-shot-mixup: six unlabelled images and a black-box teacher are enough on this task', async () => {
    const { model } = trainedTeacher(63);
    const test = blobs(63, 300);
    const few = blobs(63, 6); // two images per blob; labels unused
    const s = student(64);
    const before = await accuracy(s, test);
    const scheme = fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: ADAM, iterationsPerStep: 60, syntheticBatchSize: 32 });
    const result = await new Trainer({ scheme, train: few, evaluation: test, epochs: 2, batchSize: 6, seed: 1 }).fit();
    const after = result.final!.metrics['student']!.accuracy;
    expect(after).toBeGreaterThan(0.75);
    expect(after).toBeGreaterThan(before + 0.2);
    expect(scheme.teacherQueries).toBe(2 * 60 * 32);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });
});
