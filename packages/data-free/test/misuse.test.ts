import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  EmptyDatasetError,
  InputShapeError,
  MissingFeatureError,
  Registry,
  TeacherAccessError,
  Trainer,
} from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { tinyDataset, tinyTeacher, useBackend } from '@distillery/testkit';
import plugin, { adversarialDataFree, dafl, deepInversion, denseGenerator, fewShotMixup, imageGenerator } from '../src/index.js';
import { SGD, blobs, contextFor, firstBatch, releaseBatch, student, trainedTeacher } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const generator = (seed: number) => denseGenerator({ outputShape: [4], latentDim: 8, seed });
const run = (scheme: ConstructorParameters<typeof Trainer>[0]['scheme'], dataset = blobs(1, 32)) => new Trainer({ scheme, train: dataset, epochs: 1, batchSize: 8, seed: 1 }).fit();

describe('misuse fails clearly, before the first step', () => {
  const { model } = trainedTeacher(51);
  const s = student(52);
  afterAll(() => [model, s].forEach((m) => m.dispose()));

  it('a white-box method given a black-box teacher (refused when built, before any prepare)', () => {
    const teacher = tinyTeacher(model, 'black-box');
    expect(() => dafl({ teacher, student: s, generator, optimizer: SGD, activationFeature: 'hidden0' })).toThrow(TeacherAccessError);
    expect(() => adversarialDataFree({ teacher, student: s, generator, optimizer: SGD })).toThrow(TeacherAccessError);
    // the hint names the black-box data-free method, not core's default "kd" loss
    for (const [scheme, build] of [
      ['dafl', () => dafl({ teacher, student: s, generator, optimizer: SGD, activationFeature: 'hidden0' })],
      ['dfad', () => adversarialDataFree({ teacher, student: s, generator, optimizer: SGD })],
      ['deep-inversion', () => deepInversion({ teacher, student: s, optimizer: SGD, batchNormWeight: 0, tvL2Weight: 0, jitter: 0 })],
    ] as const) {
      let thrown: unknown;
      try {
        build();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, scheme).toBeInstanceOf(TeacherAccessError);
      const { code, message, hint } = thrown as TeacherAccessError;
      expect(code).toBe('TEACHER_ACCESS');
      expect(hint).toBe('with a black-box teacher use "few-shot-mixup" (a few real images mixed up and labelled by the teacher\'s probabilities), or give a white-box teacher');
      expect(message).toBe(`the "${scheme}" scheme needs a white-box teacher (gradients through it to synthesise inputs) but the teacher is black-box (${hint})`);
      expect(message).not.toContain('"kd"');
    }
    expect(() => deepInversion({ teacher, student: s, optimizer: SGD, batchNormWeight: 0, tvL2Weight: 0, jitter: 0 })).toThrow(TeacherAccessError);
  });

  it('a generator whose output does not match the teacher\'s input', async () => {
    const wrong = (seed: number) => denseGenerator({ outputShape: [5], latentDim: 8, seed });
    const error = await run(dafl({ teacher: tinyTeacher(model), student: s, generator: wrong, optimizer: SGD, activationFeature: 'hidden0' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputShapeError);
    expect((error as Error).message).toMatch(/generator .* output vs teacher/);
    await expect(run(adversarialDataFree({ teacher: tinyTeacher(model), student: s, generator: wrong, optimizer: SGD }))).rejects.toBeInstanceOf(InputShapeError);
    // an image generator needs sides divisible by 4
    expect(() => imageGenerator({ outputShape: [28, 30, 1], seed: 1 })).toThrow(ConfigError);
  });

  it('zero few-shot samples', async () => {
    expect(() => fewShotMixup({ teacher: tinyTeacher(model), student: s, optimizer: SGD, images: tf.zeros([0, 4]) })).toThrow(EmptyDatasetError);
    // an empty training set reaches the scheme's prepare when driven by hand
    const empty = { ...tinyDataset({ size: 3, features: 4, classes: 3 }), size: 0, batches: function* () {} };
    const scheme = fewShotMixup({ teacher: tinyTeacher(model), student: s, optimizer: SGD });
    const batch = firstBatch(blobs(2, 8));
    expect(() => scheme.prepare({ ...contextFor(blobs(2, 8)), train: empty }, batch)).toThrow(EmptyDatasetError);
    releaseBatch(batch);
  });

  it('few-shot images of the wrong shape', async () => {
    const images = tf.zeros([5, 6]);
    await expect(run(fewShotMixup({ teacher: tinyTeacher(model), student: s, optimizer: SGD, images }))).rejects.toBeInstanceOf(InputShapeError);
    images.dispose();
  });

  it('a missing feature tap', async () => {
    await expect(run(dafl({ teacher: tinyTeacher(model), student: s, generator, optimizer: SGD, activationFeature: 'penultimate' }))).rejects.toBeInstanceOf(MissingFeatureError);
    await expect(run(dafl({ teacher: tinyTeacher(model), student: s, generator, optimizer: SGD }))).rejects.toThrow(/"fc1"/);
    // without the activation term the tap is not needed
    await expect(run(dafl({ teacher: tinyTeacher(model), student: s, generator, optimizer: SGD, activationWeight: 0 }))).resolves.toBeDefined();
  });

  it('deep inversion of a teacher without batch-norm statistics, or TV on non-images', async () => {
    await expect(run(deepInversion({ teacher: tinyTeacher(model), student: s, optimizer: SGD, tvL2Weight: 0, jitter: 0 }))).rejects.toThrow(/no batch-norm statistics/);
    await expect(run(deepInversion({ teacher: tinyTeacher(model), student: s, optimizer: SGD, batchNormWeight: 0 }))).rejects.toThrow(/total variation and jitter need images/);
    expect(() => deepInversion({ teacher: tinyTeacher(model), student: s, optimizer: SGD, synthesis: 'generator' })).toThrow(/needs a generator/);
  });

  it('out-of-domain options', () => {
    const teacher = tinyTeacher(model);
    expect(() => dafl({ teacher, student: s, generator, optimizer: SGD, entropyWeight: -1 })).toThrow(ConfigError);
    expect(() => adversarialDataFree({ teacher, student: s, generator, optimizer: SGD, studentSteps: 0 })).toThrow(/studentSteps/);
    expect(() => adversarialDataFree({ teacher, student: s, generator, optimizer: SGD, discrepancy: 'l2' as 'l1' })).toThrow(/discrepancy/);
    expect(() => deepInversion({ teacher, student: s, optimizer: SGD, jitter: 1.5 })).toThrow(/jitter/);
    expect(() => fewShotMixup({ teacher, student: s, optimizer: SGD, mixupAlpha: 0 })).toThrow(/mixupAlpha/);
  });

  it('the registry builds every scheme by name; data-free schemes refuse extra losses', () => {
    const registry = new Registry();
    registry.register(plugin);
    const inputs = { teachers: [tinyTeacher(model)], students: [s], losses: [], optimizer: SGD };
    for (const name of ['dafl', 'dfad', 'deep-inversion', 'few-shot-mixup']) {
      const scheme = registry.scheme(name).create(inputs, {});
      expect(scheme.name).toBe(name);
      scheme.dispose();
    }
    expect(() => registry.scheme('dafl').create({ ...inputs, losses: [{ loss: kdLoss(), weight: 1 }] }, {})).toThrow(/takes no losses/);
  });
});
