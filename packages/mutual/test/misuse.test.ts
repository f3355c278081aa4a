import { beforeAll, describe, expect, it } from 'vitest';
import { ClassCountMismatchError, ConfigError, InputShapeError, Registry, Trainer, type Scheme } from '@distillery/core';
import { thrownCode, tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import plugin, { bdkdOnline, deepMutualLearning, ensembleOnline, offlineOnline } from '../src/index.js';
import { PROGRESS, SGD, blobs, firstBatch, releaseBatch, twoPeers } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const dense = (classes: number, seed = 1, inputSize = 4) => tinyDenseModel({ inputSize, numClasses: classes, seed, name: `m${classes}-${seed}-${inputSize}` });

describe('misuse fails before training, with typed errors', () => {
  it('rejects a cohort of one', () => {
    const [only] = twoPeers(1);
    expect(thrownCode(() => deepMutualLearning({ peers: [only], optimizer: SGD }))).toBe('CONFIG_INVALID');
    expect(() => ensembleOnline({ peers: [only], optimizer: SGD })).toThrow(/at least 2 peers, got 1/);
    expect(() => deepMutualLearning({ peers: [], optimizer: SGD })).toThrow(ConfigError);
    only.dispose();
  });

  it('rejects peers that disagree on the class count', () => {
    const a = dense(3);
    const b = dense(4);
    expect(() => deepMutualLearning({ peers: [a, b], optimizer: SGD })).toThrow(ClassCountMismatchError);
    expect(() => ensembleOnline({ peers: [a, a, b], optimizer: SGD })).toThrow(ClassCountMismatchError);
    expect(() => bdkdOnline({ student: a, teacher: b, optimizer: SGD })).toThrow(ClassCountMismatchError);
    expect(() => offlineOnline({ teacher: tinyTeacher(b), student: a, peer: dense(3, 2), optimizer: SGD })).toThrow(ClassCountMismatchError);
    [a, b].forEach((m) => m.dispose());
  });

  it('rejects a cohort that disagrees with the dataset, in prepare', async () => {
    const dataset = blobs(1);
    const fit = (scheme: Scheme) => new Trainer({ scheme, train: dataset, epochs: 1, batchSize: 16, seed: 1 }).fit();
    const fourClass = [dense(4, 1), dense(4, 2)];
    const wideInput = [dense(3, 1, 5), dense(3, 2, 5)];
    await expect(fit(deepMutualLearning({ peers: fourClass, optimizer: SGD }))).rejects.toBeInstanceOf(ClassCountMismatchError);
    await expect(fit(ensembleOnline({ peers: wideInput, optimizer: SGD }))).rejects.toBeInstanceOf(InputShapeError);
    [...fourClass, ...wideInput].forEach((m) => m.dispose());
  });

  it('rejects the same model twice, bad hyper-parameters, and steps before prepare', () => {
    const [a, b] = twoPeers(2);
    expect(() => deepMutualLearning({ peers: [a, a], optimizer: SGD })).toThrow(/same model object/);
    expect(thrownCode(() => deepMutualLearning({ peers: [a, b], optimizer: SGD, temperature: 0 }))).toBe('CONFIG_INVALID');
    expect(() => deepMutualLearning({ peers: [a, b], optimizer: SGD, mimicryWeight: -1 })).toThrow(/mimicryWeight/);
    expect(() => deepMutualLearning({ peers: [a, b], optimizer: SGD, updateOrder: 'random' as never })).toThrow(/updateOrder/);
    expect(() => ensembleOnline({ peers: [a, b], optimizer: SGD, temperature: Number.NaN })).toThrow(ConfigError);
    const batch = firstBatch(blobs(2));
    expect(() => deepMutualLearning({ peers: [a, b], optimizer: SGD }).step(batch, PROGRESS)).toThrow(/before prepare/);
    expect(() => ensembleOnline({ peers: [a, b], optimizer: SGD }).step(batch, PROGRESS)).toThrow(/before prepare/);
    releaseBatch(batch);
    [a, b].forEach((m) => m.dispose());
  });

  it('rejects registry inputs that do not fit a scheme', () => {
    const registry = new Registry().register(plugin);
    const [a, b] = twoPeers(3);
    const c = dense(3, 9);
    const inputs = { teachers: [], losses: [], optimizer: SGD };
    expect(() => registry.scheme('bdkd-online').create({ ...inputs, students: [a, b, c] }, {})).toThrow(/exactly two models/);
    expect(() => registry.scheme('offline-online').create({ ...inputs, students: [a, b] }, {})).toThrow(/exactly one frozen teacher/);
    expect(() => registry.scheme('dml').create({ ...inputs, students: [a, b] }, { cohortSize: 1 })).toThrow(/cohortSize/);
    expect(() => registry.scheme('dml').create({ ...inputs, students: [a] }, {})).toThrow(/at least 2 peers/);
    [a, b, c].forEach((m) => m.dispose());
  });
});
