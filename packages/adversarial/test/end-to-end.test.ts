import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, Trainer, selectBackend, type Dataset, type EpochRecord, type Scheme, type TrainingResult } from '@distillery/core';
import { loadMnist } from '@distillery/data/node';
import losses from '@distillery/losses';
import { asTeacher, mlp } from '@distillery/models';
import { fitTinyModel } from '@distillery/testkit';
import plugin from '../src/index.js';

/**
 * A small MNIST run through the registry, as a suite file would drive it: KD by name, each scheme by
 * name. Budget-sized (600 training images, 6 epochs, a 784-16-10 student): it shows that each scheme
 * trains, not how well it does at full scale. It runs on the wasm backend the benchmarks use (here
 * ~3-5x faster than the pure-JS cpu backend on these MLPs), which also checks that every op the
 * schemes differentiate has a wasm kernel.
 */
let train: Dataset;
let test: Dataset;
let teacherModel: ReturnType<typeof mlp>;
const registry = new Registry().register(losses).register(plugin);

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  train = loadMnist({ split: 'train', limit: 600 });
  test = loadMnist({ split: 'test', limit: 500 });
  teacherModel = mlp({ inputShape: [28, 28, 1], hidden: [64], numClasses: 10, seed: 1, name: 'teacher' });
  fitTinyModel(teacherModel, train, { epochs: 6, learningRate: 3e-3, batchSize: 50, seed: 1 });
});

async function fit(scheme: Scheme): Promise<TrainingResult> {
  try {
    return await new Trainer({ scheme, train, evaluation: test, epochs: 6, batchSize: 50, seed: 7 }).fit();
  } finally {
    scheme.dispose();
  }
}

function accuracy(record: EpochRecord | undefined, model = 'student'): number {
  return record?.metrics[model]?.accuracy ?? NaN;
}

describe('end to end on an MNIST subset (registry names, Trainer, evaluation)', () => {
  it('adversarial-kd trains a student with KD and a discriminator', async () => {
    const before = tf.memory().numTensors;
    const student = mlp({ inputShape: [28, 28, 1], hidden: [16], numClasses: 10, seed: 2, name: 'student' });
    const scheme = registry.scheme('adversarial-kd').create(
      { teachers: [asTeacher(teacherModel)], students: [student], losses: [{ loss: registry.loss('kd').create({ temperature: 4 }), weight: 1 }], optimizer: { name: 'adam', learningRate: 3e-3 } },
      { adversarialWeight: 0.1 },
    );
    const result = await fit(scheme);
    const [first, last] = [result.history[0], result.final];
    expect(accuracy(result.final)).toBeGreaterThan(0.7); // chance is 0.1; measured 0.78
    // KD falls, and the game is played: both players report finite losses, D is better than chance
    expect(last?.terms['kd'] as number).toBeLessThan(first?.terms['kd'] as number);
    expect(Number.isFinite(last?.terms['adversarial'])).toBe(true);
    expect(last?.terms['discriminatorAccuracy'] as number).toBeGreaterThan(0.5);
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bss trains on boundary samples inside the image range [0, 1] (the default)', async () => {
    const student = mlp({ inputShape: [28, 28, 1], hidden: [16], numClasses: 10, seed: 2, name: 'student' });
    const scheme = registry.scheme('bss').create(
      { teachers: [asTeacher(teacherModel)], students: [student], losses: [{ loss: registry.loss('kd').create({ temperature: 4 }), weight: 1 }], optimizer: { name: 'adam', learningRate: 3e-3 } },
      { boundarySamples: 16 },
    );
    const result = await fit(scheme);
    expect(accuracy(result.final)).toBeGreaterThan(0.7); // chance is 0.1; measured 0.78
    expect(result.history[0]?.terms['boundary'] as number).toBeGreaterThan(0);
    student.dispose();
  });

  it('adversarial-online trains teacher and student together', async () => {
    const student = mlp({ inputShape: [28, 28, 1], hidden: [16], numClasses: 10, seed: 2, name: 'student' });
    const teacher = mlp({ inputShape: [28, 28, 1], hidden: [64], numClasses: 10, seed: 3, name: 'online-teacher' });
    const scheme = registry.scheme('adversarial-online').create(
      { teachers: [], students: [student, teacher], losses: [{ loss: registry.loss('kd').create({ temperature: 4 }), weight: 1 }], optimizer: { name: 'adam', learningRate: 3e-3 } },
      {},
    );
    const result = await fit(scheme);
    // both start from scratch; measured 0.63 (student) and 0.76 (teacher) after 6 epochs of 600 images
    expect(accuracy(result.final, 'student')).toBeGreaterThan(0.5);
    expect(accuracy(result.final, 'teacher')).toBeGreaterThan(0.65);
    expect(accuracy(result.final, 'student')).toBeGreaterThan(accuracy(result.history[0], 'student'));
    [student, teacher].forEach((m) => m.dispose());
  });
});
