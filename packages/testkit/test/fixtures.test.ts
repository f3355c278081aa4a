import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  disposeBatch,
  disposeStepContext,
  makeStepContext,
  randomLogits,
  restoreTrackables,
  seededPermutation,
  seededRandom,
  snapshotTrackables,
  stepContextTensors,
  tinyDataset,
  tinyDenseModel,
  tinyTeacher,
  useBackend,
} from '../src/index.js';

beforeAll(() => useBackend('cpu'));

describe('seeded randomness', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = Array.from({ length: 5 }, seededRandom(3).uniform);
    const b = Array.from({ length: 5 }, seededRandom(3).uniform);
    const c = Array.from({ length: 5 }, seededRandom(4).uniform);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const u of a) expect(u >= 0 && u < 1).toBe(true);
  });

  it('draws normals with mean ~0 and variance ~1', () => {
    const random = seededRandom(1);
    const xs = Array.from({ length: 20000 }, random.normal);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutes every index once', () => {
    expect([...seededPermutation(50, 9)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('makes identical random logits for a seed', () => {
    const a = randomLogits(3, 4, 11, 2);
    const b = randomLogits(3, 4, 11, 2);
    expect(a.shape).toEqual([3, 4]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });
});

describe('tinyDataset', () => {
  const dataset = tinyDataset({ size: 10, features: 3, classes: 2, seed: 5 });

  function epochIndices(epoch: number, shuffle: boolean, dropRemainder = false): number[][] {
    const out: number[][] = [];
    for (const batch of dataset.batches({ batchSize: 4, shuffle, seed: 2, epoch, dropRemainder })) {
      expect(batch.x.shape).toEqual([batch.size, 3]);
      expect(batch.y.dtype).toBe('int32');
      const index = Array.from(batch.index.dataSync());
      // labels and features follow the index
      expect(Array.from(batch.y.dataSync())).toEqual(index.map((i) => dataset.y[i]));
      expect(Array.from(batch.x.dataSync().slice(0, 3))).toEqual(Array.from(dataset.x.slice((index[0] as number) * 3, (index[0] as number) * 3 + 3)));
      out.push(index);
      disposeBatch(batch);
    }
    return out;
  }

  it('covers every sample once per epoch, in an order fixed by (seed, epoch)', () => {
    const first = epochIndices(0, true);
    expect(first.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(first.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(epochIndices(0, true)).toEqual(first);
    expect(epochIndices(1, true)).not.toEqual(first);
    expect(epochIndices(0, false).flat()).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('drops a partial last batch on request and balances labels', () => {
    expect(epochIndices(0, true, true).map((b) => b.length)).toEqual([4, 4]);
    expect(Array.from(dataset.y).filter((y) => y === 0).length).toBe(5);
  });
});

describe('tinyDenseModel and tinyTeacher', () => {
  it('computes relu(x W0 + b0) W1 + b1 with named features and counts parameters', () => {
    const model = tinyDenseModel({ inputSize: 3, numClasses: 2, hidden: [4], seed: 1, name: 'm' });
    expect(model.countParams()).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect(Object.keys(model.stateVariables())).toEqual(['m/dense0/kernel', 'm/dense0/bias', 'm/dense1/kernel', 'm/dense1/bias']);
    expect(model.featureNames).toEqual(['hidden0']);
    const x = tf.tensor2d([[1, -2, 0.5]]);
    const state = model.stateVariables();
    const expected = tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(x, state['m/dense0/kernel'] as tf.Variable), state['m/dense0/bias'] as tf.Variable));
      return tf.add(tf.matMul(h, state['m/dense1/kernel'] as tf.Variable), state['m/dense1/bias'] as tf.Variable);
    });
    const logits = model.predictLogits(x);
    expect(Array.from(logits.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, expected, logits]);
    model.dispose();
  });

  it('starts identically for a seed and a black-box teacher returns log-probabilities only', () => {
    const a = tinyDenseModel({ inputSize: 3, numClasses: 4, seed: 2 });
    const b = tinyDenseModel({ inputSize: 3, numClasses: 4, seed: 2 });
    const x = tf.tensor2d([[0.1, 0.2, 0.3], [1, 0, -1]]);
    const [la, lb] = [a.predictLogits(x), b.predictLogits(x)];
    expect(Array.from(la.dataSync())).toEqual(Array.from(lb.dataSync()));
    const before = tf.memory().numTensors;
    const outputs = tinyTeacher(a, 'black-box').forward(x);
    expect(Object.keys(outputs.features)).toEqual([]);
    const total = tf.tidy(() => tf.sum(tf.exp(outputs.logits), 1));
    for (const s of total.dataSync()) expect(s).toBeCloseTo(1, 5);
    tf.dispose([outputs.logits, total]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, la, lb]);
    a.dispose();
    b.dispose();
  });
});

describe('makeStepContext', () => {
  it('builds consistent shapes and a matching setup, and disposes every tensor', () => {
    const before = tf.memory().numTensors;
    const { context, setup } = makeStepContext({ batch: 3, classes: 6, studentFeatures: { f: [2, 2] }, teacherFeatures: { g: [5] } });
    expect(context.student.logits.shape).toEqual([3, 6]);
    expect(context.student.features.f?.shape).toEqual([3, 2, 2]);
    expect(context.teacher?.features.g?.shape).toEqual([3, 5]);
    expect(setup).toMatchObject({ numClasses: 6, teacherAccess: 'white-box', studentFeatureShapes: { f: [2, 2] }, teacherFeatureShapes: { g: [5] } });
    for (const label of context.labels.dataSync()) expect(label >= 0 && label < 6).toBe(true);
    expect(stepContextTensors(context).length).toBe(6);
    disposeStepContext(context);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives a black-box teacher normalised log-probabilities and no features', () => {
    const { context, setup } = makeStepContext({ teacher: 'black-box', teacherFeatures: { g: [5] } });
    expect(setup.teacherAccess).toBe('black-box');
    expect(setup.teacherFeatureShapes).toEqual({});
    const sums = tf.tidy(() => tf.sum(tf.exp((context.teacher as { logits: tf.Tensor }).logits), 1).dataSync());
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    disposeStepContext(context);
  });

  it('leaves the teacher out when asked', () => {
    const { context, setup } = makeStepContext({ teacher: 'none' });
    expect(context.teacher).toBeUndefined();
    expect(setup.teacherAccess).toBeUndefined();
    disposeStepContext(context);
  });
});

describe('snapshotTrackables / restoreTrackables', () => {
  it('round-trips variables and Adam state by name and rejects mismatched names', async () => {
    const make = () => {
      const v = tf.variable(tf.tensor1d([1, 2, 3]));
      const optimizer = tf.train.adam(0.1);
      return { v, optimizer, trackables: { variables: { w: v }, optimizers: { main: optimizer } } };
    };
    const stepOnce = (m: ReturnType<typeof make>): void => {
      const cost = m.optimizer.minimize(() => tf.sum(tf.square(tf.sub(m.v, tf.tensor1d([0, 5, -1])))) as tf.Scalar, true, [m.v]);
      if (cost) cost.dispose();
    };
    const a = make();
    for (let i = 0; i < 3; i++) stepOnce(a);
    const snapshot = await snapshotTrackables(a.trackables);
    expect(snapshot.optimizers.main?.map((w) => w.name)[0]).toBe('iter');
    expect(snapshot.optimizers.main?.length).toBe(3);
    const b = make();
    await restoreTrackables(b.trackables, snapshot);
    expect(Array.from(b.v.dataSync())).toEqual(Array.from(a.v.dataSync()));
    stepOnce(a);
    stepOnce(b);
    const diff = Array.from(a.v.dataSync()).map((x, i) => Math.abs(x - (b.v.dataSync()[i] as number)));
    expect(Math.max(...diff)).toBeLessThan(1e-6);
    await expect(restoreTrackables({ variables: { other: b.v }, optimizers: {} }, snapshot)).rejects.toThrow(/missing \[w\]/);
    for (const m of [a, b]) {
      m.v.dispose();
      m.optimizer.dispose();
    }
  });
});
