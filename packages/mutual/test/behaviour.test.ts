import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, Trainer } from '@distillery/core';
import { tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import plugin, { BdkdOnline, deepMutualLearning, offlineOnline } from '../src/index.js';
import { ADAM, blobs, trainedTeacherModel, twoPeers } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('online schemes learn the task', () => {
  it('dml: both peers become accurate and agree with each other', async () => {
    const dataset = blobs(14);
    const peers = twoPeers(14);
    const scheme = deepMutualLearning({ peers, optimizer: ADAM });
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 8, batchSize: 16, seed: 1 }).fit();
    const metrics = result.final!.metrics;
    expect(metrics['peer0']!.accuracy).toBeGreaterThan(0.85);
    expect(metrics['peer1']!.accuracy).toBeGreaterThan(0.85);
    const x = tf.tensor2d(dataset.x, [dataset.size, 4]);
    const [a, b] = peers.map((p) => tf.tidy(() => Array.from(p.predictLogits(x).argMax(1).dataSync())));
    const agreement = a!.filter((label, i) => label === b![i]).length / dataset.size;
    expect(agreement).toBeGreaterThan(0.9);
    x.dispose();
    // the mimicry term is a KL, so it is >= 0 and falls as the peers converge
    expect(result.history[0]!.terms['peer0.kl']).toBeGreaterThan(result.final!.terms['peer0.kl']!);
    expect(result.final!.terms['peer1.kl']).toBeGreaterThanOrEqual(0);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });

  it('offline-online: the student ends close to the frozen teacher, which never moves', async () => {
    const { model, dataset } = trainedTeacherModel(15);
    const before = model.trainableVariables().map((v) => Array.from(v.dataSync()));
    const [student, peer] = twoPeers(15);
    const scheme = offlineOnline({ teacher: tinyTeacher(model), student, peer, optimizer: ADAM });
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 8, batchSize: 16, seed: 1 }).fit();
    expect(result.final!.metrics['student']!.agreement).toBeGreaterThan(0.9);
    expect(result.final!.metrics['peer']!.agreement).toBeGreaterThan(0.9);
    expect(model.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(before);
    scheme.dispose();
    [model, student, peer].forEach((m) => m.dispose());
  });
});

describe('plugin', () => {
  it('registers the four schemes and builds them from SchemeInputs', () => {
    const registry = new Registry().register(plugin);
    expect(registry.schemes().map((s) => s.name).sort()).toEqual(['bdkd-online', 'dml', 'ensemble-online', 'offline-online']);
    const created: tf.Variable[][] = [];
    const createStudent = (seed: number) => {
      const model = tinyDenseModel({ inputSize: 4, numClasses: 3, seed, name: `created-${seed}` });
      created.push(model.trainableVariables());
      return model;
    };
    const [first] = twoPeers(16);
    const dml = registry.scheme('dml').create({ teachers: [], students: [first], createStudent, losses: [], optimizer: ADAM }, { cohortSize: 3 });
    expect(Object.keys(dml.evaluationModels())).toEqual(['peer0', 'peer1', 'peer2']);
    dml.dispose();
    // the two models the scheme built for itself went with it
    expect(created.flat().every((v) => v.isDisposed)).toBe(true);
    expect(first.trainableVariables().every((v) => !v.isDisposed)).toBe(true);

    const small = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [4], seed: 1, name: 'small' });
    const large = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [32], seed: 2, name: 'large' });
    const bdkd = registry.scheme('bdkd-online').create({ teachers: [], students: [large, small], losses: [], optimizer: ADAM }, {}) as BdkdOnline;
    expect(bdkd.evaluationModels()['student']!.name).toBe('small');
    expect(bdkd.referenceModel().name).toBe('large');
    bdkd.dispose();
    [first, small, large].forEach((m) => m.dispose());
  });

  it('builds offline-online from one teacher and one student plus the factory', () => {
    const registry = new Registry().register(plugin);
    const teacherModel = tinyDenseModel({ inputSize: 4, numClasses: 3, seed: 3 });
    const [student] = twoPeers(17);
    const scheme = registry.scheme('offline-online').create(
      { teachers: [tinyTeacher(teacherModel)], students: [student], createStudent: (seed) => tinyDenseModel({ inputSize: 4, numClasses: 3, seed }), losses: [], optimizer: ADAM },
      { temperature: 2 },
    );
    expect(Object.keys(scheme.evaluationModels())).toEqual(['student', 'peer']);
    scheme.dispose();
    [teacherModel, student].forEach((m) => m.dispose());
  });
});
