import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassCountMismatchError, Registry, Trainer } from '@distillery/core';
import { tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import plugin, { SelfPast, beYourOwnTeacher, bornAgainGeneration, selfPast, tfVirtual } from '../src/index.js';
import { ADAM, SGD, backbone, blobs, contextFor, crossEntropyOf, firstBatch, mean, releaseBatch, softmax } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('self-past (PS-KD)', () => {
  it('grows alpha linearly to finalAlpha over the epochs', () => {
    const model = backbone(1);
    const scheme = selfPast({ model, optimizer: SGD, finalAlpha: 0.8 });
    const dataset = blobs(1);
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset, 16, 4), batch);
    expect([0, 1, 2, 3].map((e) => scheme.alphaAt(e))).toEqual([0.2, 0.4, 0.6000000000000001, 0.8]);
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });

  it("stores each sample's prediction and mixes it into the next epoch's target", async () => {
    const dataset = blobs(2);
    const model = backbone(2);
    const scheme = selfPast({ model, optimizer: SGD, finalAlpha: 0.5 });
    const batch = firstBatch(dataset, 8); // samples 0..7
    scheme.prepare(contextFor(dataset, 8, 2), batch);
    const memory = scheme.trackables().variables;
    const logitsBefore = (await model.predictLogits(batch.x).array()) as number[][];
    const labels = Array.from(await batch.y.data());

    // epoch 0: alpha_0 = 0.25, but nothing is stored yet, so the target is the label itself
    const first = scheme.step(batch, { epoch: 0, step: 0, fraction: 0 });
    expect(first['pskd']!.dataSync()[0]).toBeCloseTo(crossEntropyOf(logitsBefore, labels), 5);
    expect(first['alpha']!.dataSync()[0]).toBeCloseTo(0.25, 6);
    const stored = (await memory['memory/predictions']!.array()) as number[][];
    const filled = Array.from(await memory['memory/filled']!.data());
    logitsBefore.forEach((row, i) => softmax(row).forEach((p, c) => expect(stored[i]![c]).toBeCloseTo(p, 5)));
    expect(filled).toEqual([...Array(8).fill(1), ...Array(dataset.size - 8).fill(0)]);

    // epoch 1: alpha_1 = 0.5, target = 0.5 onehot + 0.5 stored prediction
    const logitsNow = (await model.predictLogits(batch.x).array()) as number[][];
    const second = scheme.step(batch, { epoch: 1, step: 1, fraction: 0.5 });
    const expected = mean(
      logitsNow.map((row, i) => {
        const logP = softmax(row).map(Math.log);
        return -logP.reduce((s, lp, c) => s + (0.5 * (c === labels[i] ? 1 : 0) + 0.5 * (stored[i]![c] as number)) * lp, 0);
      }),
    );
    expect(second['pskd']!.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([first, second]);
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });

  it('trains to a good accuracy and rejects a wrong class count', async () => {
    const dataset = blobs(3);
    const model = backbone(3);
    const scheme = selfPast({ model, optimizer: ADAM });
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 8, batchSize: 16, seed: 1 }).fit();
    expect(result.final!.metrics['model']!.accuracy).toBeGreaterThan(0.85);
    expect(result.final!.terms['alpha']).toBeCloseTo(0.8, 6);
    scheme.dispose();
    model.dispose();
    const wrong = tinyDenseModel({ inputSize: 4, numClasses: 4, seed: 1 });
    await expect(new Trainer({ scheme: selfPast({ model: wrong, optimizer: SGD }), train: dataset, epochs: 1, batchSize: 16, seed: 1 }).fit()).rejects.toBeInstanceOf(ClassCountMismatchError);
    expect(() => selfPast({ model: wrong, optimizer: SGD, finalAlpha: 1.2 })).toThrow(/finalAlpha/);
    wrong.dispose();
  });
});

describe('tf-virtual', () => {
  it('is (1 - alpha) CE + alpha tfKd, under its own name, and learns the task', async () => {
    const dataset = blobs(4);
    const model = backbone(4);
    const scheme = tfVirtual({ model, optimizer: ADAM, alpha: 0.3, correctProbability: 0.9, temperature: 4 });
    expect(scheme.name).toBe('tf-virtual');
    const batch = firstBatch(dataset, 8);
    await scheme.prepare(contextFor(dataset, 8), batch);
    const logits = (await model.predictLogits(batch.x).array()) as number[][];
    const labels = Array.from(await batch.y.data());
    const terms = scheme.step(batch, { epoch: 0, step: 0, fraction: 0 });
    const [ce, tfKd, total] = ['ce', 'tfKd', 'total'].map((n) => terms[n]!.dataSync()[0] as number);
    expect(ce).toBeCloseTo(crossEntropyOf(logits, labels), 5);
    expect(total).toBeCloseTo(0.7 * ce! + 0.3 * tfKd!, 5);
    tf.dispose(terms);
    releaseBatch(batch);
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 8, batchSize: 16, seed: 1 }).fit();
    expect(result.final!.metrics['student']!.accuracy).toBeGreaterThan(0.85);
    scheme.dispose();
    model.dispose();
  });
});

describe('plugin', () => {
  it('registers four schemes and builds them from SchemeInputs', () => {
    const registry = new Registry().register(plugin);
    expect(registry.schemes().map((s) => s.name).sort()).toEqual(['born-again', 'byot', 'self-past', 'tf-virtual']);
    const model = backbone(5);
    const inputs = { teachers: [], students: [model], losses: [], optimizer: SGD };
    // byot's default taps: every tap but the deepest
    const byot = registry.scheme('byot').create(inputs, {});
    const dataset = blobs(5);
    const batch = firstBatch(dataset);
    byot.prepare(contextFor(dataset), batch);
    expect(Object.keys(byot.evaluationModels())).toEqual(['deepest', 'head:hidden0', 'head:hidden1', 'ensemble']);
    byot.dispose();
    expect(registry.scheme('self-past').create(inputs, { finalAlpha: 0.5 })).toBeInstanceOf(SelfPast);
    expect(registry.scheme('tf-virtual').create(inputs, {}).name).toBe('tf-virtual');
    const previous = tinyDenseModel({ inputSize: 4, numClasses: 3, seed: 8 });
    expect(registry.scheme('born-again').create({ ...inputs, teachers: [tinyTeacher(previous)] }, {}).referenceModel?.()?.name).toBe(tinyTeacher(previous).name);
    expect(() => registry.scheme('self-past').create({ ...inputs, teachers: [tinyTeacher(previous)] }, {})).toThrow(/teacher-free/);
    expect(() => registry.scheme('byot').create({ ...inputs, students: [] }, {})).toThrow(/trains one model/);
    releaseBatch(batch);
    [model, previous].forEach((m) => m.dispose());
  });
});

describe('tensor hygiene as the Trainer calls step (no surrounding tf.tidy)', () => {
  it('every scheme leaves the tensor count unchanged step after step', async () => {
    const dataset = blobs(9);
    const [m1, m2, m3, previous] = [backbone(9), backbone(10), backbone(11), backbone(12)];
    const schemes = [
      beYourOwnTeacher({ model: m1, taps: ['hidden0', 'hidden1'], optimizer: SGD }),
      selfPast({ model: m2, optimizer: SGD }),
      tfVirtual({ model: m3, optimizer: SGD }),
      bornAgainGeneration({ previous: [tinyTeacher(previous)], student: m3, optimizer: SGD }),
    ];
    const batch = firstBatch(dataset);
    for (const scheme of schemes) {
      await scheme.prepare(contextFor(dataset), batch);
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        tf.dispose(scheme.step(batch, { epoch: 0, step: i, fraction: 0 }));
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts.slice(1)).size, scheme.name).toBe(1);
      scheme.dispose();
    }
    releaseBatch(batch);
    [m1, m2, m3, previous].forEach((m) => m.dispose());
  });
});
