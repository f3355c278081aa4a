import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrownCode, useBackend } from '@distillery/testkit';
import { DiscriminatorInput, mlpDiscriminator } from '../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('mlpDiscriminator', () => {
  it('has (in+1)h1 + (h1+1)h2 + (h2+1) parameters and scores each row', () => {
    const d = mlpDiscriminator({ inputSize: 10, hidden: [7, 5], seed: 3 });
    expect(d.countParams()).toBe(11 * 7 + 8 * 5 + 6);
    expect(Object.keys(d.stateVariables()).sort()).toEqual(['dense0/bias', 'dense0/kernel', 'dense1/bias', 'dense1/kernel', 'dense2/bias', 'dense2/kernel']);
    const scores = tf.tidy(() => d.apply(tf.ones([4, 10])));
    expect(scores.shape).toEqual([4]);
    scores.dispose();
    d.dispose();
  });

  it('computes leakyRelu MLP scores exactly (against a hand-written forward)', () => {
    const d = mlpDiscriminator({ inputSize: 3, hidden: [4], leakySlope: 0.2, seed: 5 });
    const x = tf.tensor2d([[0.5, -1, 2], [-0.3, 0.1, 0]]);
    const [k0, b0, k1, b1] = d.trainableVariables() as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const kernel0 = k0.arraySync() as number[][];
    const kernel1 = k1.arraySync() as number[][];
    const bias0 = b0.arraySync() as number[];
    const bias1 = b1.arraySync() as number[];
    const expected = (x.arraySync() as number[][]).map((row) => {
      const h = bias0.map((b, j) => {
        const z = row.reduce((s, v, i) => s + v * (kernel0[i]?.[j] as number), b);
        return z > 0 ? z : 0.2 * z;
      });
      return h.reduce((s, v, j) => s + v * (kernel1[j]?.[0] as number), bias1[0] as number);
    });
    const actual = tf.tidy(() => d.apply(x).dataSync().slice());
    expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 5));
    x.dispose();
    d.dispose();
  });

  it('is a pure function of its seed, and different seeds differ', () => {
    const values = (seed: number) => {
      const d = mlpDiscriminator({ inputSize: 6, seed });
      const out = d.trainableVariables().map((v) => Array.from(v.dataSync()));
      d.dispose();
      return out;
    };
    expect(values(11)).toEqual(values(11));
    expect(values(11)[0]).not.toEqual(values(12)[0]);
  });

  it('rejects an input of the wrong width and bad options with typed errors, and releases its variables', () => {
    const before = tf.memory().numTensors;
    const d = mlpDiscriminator({ inputSize: 6, seed: 1 });
    const wrong = tf.ones([2, 5]);
    expect(thrownCode(() => d.apply(wrong as tf.Tensor2D))).toBe('INPUT_SHAPE_MISMATCH');
    wrong.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(thrownCode(() => mlpDiscriminator({ inputSize: 0, seed: 1 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => mlpDiscriminator({ inputSize: 3, hidden: [2.5], seed: 1 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => mlpDiscriminator({ inputSize: 3, leakySlope: 1, seed: 1 }))).toBe('CONFIG_INVALID');
  });
});

describe('DiscriminatorInput', () => {
  const logits = () => tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
  const labels = () => tf.tensor1d([0, 2], 'int32');

  it('builds logits, softened probabilities and log-probabilities', () => {
    const z = logits();
    const y = labels();
    const outputs = { logits: z, features: {} };
    const raw = new DiscriminatorInput('t', { response: 'logits' });
    const probs = new DiscriminatorInput('t', { response: 'probabilities', temperature: 2 });
    const logProbs = new DiscriminatorInput('t', { response: 'log-probabilities', temperature: 2 });
    tf.tidy(() => {
      expect(Array.from(raw.build('student', outputs, y, 3).dataSync())).toEqual([2, 0, -1, 0.5, 0.5, 3]);
      const p = probs.build('student', outputs, y, 3).arraySync() as number[][];
      const row = [1, 0, -0.5].map(Math.exp);
      const sum = row.reduce((a, b) => a + b, 0);
      row.forEach((v, i) => expect(p[0]?.[i]).toBeCloseTo(v / sum, 6));
      const lp = logProbs.build('teacher', outputs, y, 3).arraySync() as number[][];
      row.forEach((v, i) => expect(lp[0]?.[i]).toBeCloseTo(Math.log(v / sum), 5));
    });
    tf.dispose([z, y]);
  });

  it('appends a flattened feature and the one-hot label, and reports the width of each side', () => {
    const z = logits();
    const y = labels();
    const feature = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const input = new DiscriminatorInput('t', { response: 'logits', studentFeature: 'f', teacherFeature: 'g', conditionOnLabels: true });
    expect(input.width('student', 's', 3, { f: [2, 2] })).toBe(3 + 4 + 3);
    expect(input.width('teacher', 't', 3, { g: [5] })).toBe(3 + 5 + 3);
    expect(thrownCode(() => input.width('teacher', 't', 3, { f: [2, 2] }))).toBe('FEATURE_MISSING');
    const built = tf.tidy(() => input.build('student', { logits: z, features: { f: feature } }, y, 3).arraySync() as number[][]);
    expect(built[1]).toEqual([0.5, 0.5, 3, 5, 6, 7, 8, 0, 0, 1]);
    tf.dispose([z, y, feature]);
  });

  it('refuses black-box teachers where raw logits or features are needed, and empty inputs', () => {
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'logits' }).checkTeacherAccess('t', 'black-box'))).toBe('TEACHER_ACCESS');
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'probabilities', studentFeature: 'h' }).checkTeacherAccess('t', 'black-box'))).toBe('TEACHER_ACCESS');
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'log-probabilities' }).checkTeacherAccess('t', 'black-box'))).toBe('nothing thrown');
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'none' }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'scores' as never }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => new DiscriminatorInput('t', { teacherFeature: 'h' }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => new DiscriminatorInput('t', { response: 'probabilities', temperature: 0 }))).toBe('CONFIG_INVALID');
  });
});
