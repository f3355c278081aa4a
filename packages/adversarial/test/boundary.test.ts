import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type Teacher, type TrainableModel } from '@distillery/core';
import { thrownCode, tinyTeacher, useBackend } from '@distillery/testkit';
import { chooseTargetClasses, generateBoundarySamples, maskedKd, selectBaseSamples, topTwoMargin } from '../src/index.js';
import { blobs, snapshot, maxChange, trainedTeacherModel } from './fixtures.js';

let model: TrainableModel;
let teacher: Teacher;
let x: tf.Tensor2D;
let before: Float32Array;
let logits: tf.Tensor2D;

beforeAll(async () => {
  await useBackend('cpu');
  const fitted = trainedTeacherModel(3, blobs(3, 96));
  model = fitted.model;
  teacher = tinyTeacher(model);
  x = tf.tensor2d(fitted.dataset.x, [96, 4]);
  logits = teacher.predictLogits(x);
  before = topTwoMargin(logits).dataSync() as Float32Array;
});

function runnerUp(): tf.Tensor1D {
  return chooseTargetClasses(logits, 'runner-up', mulberry32(0));
}

describe('generateBoundarySamples', () => {
  it("moves every sample toward the teacher's boundary: the top-2 margin shrinks to a few percent ('linear')", () => {
    const targets = runnerUp();
    const samples = generateBoundarySamples(teacher, x, targets, { steps: 10, stepSize: 0.3, stepRule: 'linear' });
    const after = tf.tidy(() => topTwoMargin(teacher.predictLogits(samples)).dataSync());
    const ratios = Array.from(after, (m, i) => m / (before[i] as number));
    // a locally linear teacher would keep 0.7^10 = 2.8% of each margin; ReLU kinks add a little
    expect(Math.max(...ratios)).toBeLessThan(0.1);
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeLessThan(0.05);
    // the samples really moved, and x was left alone
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(samples, x))).dataSync()[0] as number)).toBeGreaterThan(0.1);
    expect(Array.from(tf.tidy(() => topTwoMargin(teacher.predictLogits(x)).dataSync()))).toEqual(Array.from(before));
    tf.dispose([targets, samples]);
  });

  it('moves toward the chosen target: the margin of the base class over the target shrinks for every sample', () => {
    // With a sampled (not runner-up) target another class can overtake the base class on the way;
    // the sample then stops there, on that boundary instead.
    const targets = chooseTargetClasses(logits, 'sampled', mulberry32(4));
    const base = tf.argMax(logits, 1);
    const gap = (z: tf.Tensor2D) => tf.tidy(() => tf.sub(tf.sum(tf.mul(z, tf.oneHot(base, 3)), 1), tf.sum(tf.mul(z, tf.oneHot(targets, 3)), 1)).dataSync());
    const samples = generateBoundarySamples(teacher, x, targets, { stepRule: 'linear' });
    const start = gap(logits);
    const end = tf.tidy(() => gap(teacher.predictLogits(samples)));
    const stopped = tf.tidy(() => tf.notEqual(tf.argMax(teacher.predictLogits(samples), 1), base).dataSync());
    start.forEach((s, i) => {
      expect(s).toBeGreaterThan(0);
      expect(end[i] as number).toBeLessThan(s);
      // near the chosen boundary, or stopped because another class overtook the base class
      expect(Math.abs(end[i] as number) < 0.15 * s || stopped[i] === 1, `sample ${i}: ${start[i]} -> ${end[i]}`).toBe(true);
    });
    const shrink = Array.from(end, (e, i) => e / (start[i] as number));
    expect(shrink.reduce((a, b) => a + b, 0) / shrink.length).toBeLessThan(0.5);
    tf.dispose([targets, base, samples]);
  });

  it("'code' (the official step) crosses the boundary and stops: further iterations leave the samples unchanged", () => {
    const targets = runnerUp();
    const ten = generateBoundarySamples(teacher, x, targets, { steps: 10, stepRule: 'code' });
    const fifteen = generateBoundarySamples(teacher, x, targets, { steps: 15, stepRule: 'code' });
    const crossed = tf.tidy(() => tf.notEqual(tf.argMax(teacher.predictLogits(ten), 1), tf.argMax(logits, 1)).dataSync());
    expect(Array.from(crossed).every((c) => c === 1)).toBe(true);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ten, fifteen))).dataSync()[0])).toBe(0);
    tf.dispose([targets, ten, fifteen]);
  });

  it('stays within the input range, which actually binds', () => {
    const targets = runnerUp();
    // the data's own range; the official step's long jumps leave it when unclamped
    const data = x.dataSync();
    const [low, high] = [Math.min(...data), Math.max(...data)];
    for (const stepRule of ['code', 'linear'] as const) {
      const free = generateBoundarySamples(teacher, x, targets, { stepRule, steps: 10 });
      const clamped = generateBoundarySamples(teacher, x, targets, { stepRule, steps: 10, inputRange: [low, high] });
      const values = clamped.dataSync();
      expect(Math.min(...values), stepRule).toBeGreaterThanOrEqual(low);
      expect(Math.max(...values), stepRule).toBeLessThanOrEqual(high);
      if (stepRule === 'code') {
        const unclamped = free.dataSync();
        expect(Math.min(...unclamped) < low || Math.max(...unclamped) > high).toBe(true);
      }
      tf.dispose([free, clamped]);
    }
    targets.dispose();
  });

  it('never changes the teacher, returns the input for 0 steps, and leaks nothing', () => {
    const weights = snapshot(model.trainableVariables());
    const targets = runnerUp();
    const count = tf.memory().numTensors;
    const same = generateBoundarySamples(teacher, x, targets, { steps: 0 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(same, x))).dataSync()[0])).toBe(0);
    same.dispose();
    generateBoundarySamples(teacher, x, targets, { steps: 3 }).dispose();
    expect(tf.memory().numTensors).toBe(count);
    expect(maxChange(model.trainableVariables(), weights)).toBe(0);
    targets.dispose();
  });

  it('refuses a black-box teacher and bad options with typed errors', () => {
    const targets = runnerUp();
    expect(thrownCode(() => generateBoundarySamples(tinyTeacher(model, 'black-box'), x, targets))).toBe('TEACHER_ACCESS');
    expect(thrownCode(() => generateBoundarySamples(teacher, x, targets, { stepSize: 0 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => generateBoundarySamples(teacher, x, targets, { steps: 1.5 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => generateBoundarySamples(teacher, x, targets, { stepRule: 'fgsm' as never }))).toBe('CONFIG_INVALID');
    const short = tf.tensor1d([1, 2], 'int32');
    expect(thrownCode(() => generateBoundarySamples(teacher, x, short))).toBe('CONFIG_INVALID');
    tf.dispose([targets, short]);
  });
});

describe('base-sample selection and target classes', () => {
  it("keeps the teacher's correct samples first, ranked by the distillation score off the label", () => {
    // rows: 0 correct, student close; 1 wrong; 2 correct, student far off the label; 3 correct, student far on the label only
    const t = tf.tensor2d([[4, 0, 0], [0, 4, 0], [0, 0, 4], [4, 0, 0]]);
    const s = tf.tensor2d([[4, 0, 0], [0, 4, 0], [0, 4, 0], [0, 0, 0]]);
    const y = tf.tensor1d([0, 0, 2, 0], 'int32');
    const picked = selectBaseSamples(t, y, s, 3);
    expect(Array.from(picked.indices.dataSync())).toEqual([2, 3, 0]);
    expect(Array.from(picked.weights.dataSync())).toEqual([1, 1, 1]);
    const all = selectBaseSamples(t, y, undefined, 4);
    expect(Array.from(all.indices.dataSync()).at(-1)).toBe(1);
    expect(Array.from(all.weights.dataSync())).toEqual([1, 1, 1, 0]);
    tf.dispose([t, s, y, picked.indices, picked.weights, all.indices, all.weights]);
  });

  it("'runner-up' is the teacher's second class; 'sampled' never picks the top class and follows the softmax over the rest", () => {
    const row = [2, 1, 0, -1];
    const z = tf.tensor2d(Array.from({ length: 4000 }, () => row));
    const second = chooseTargetClasses(tf.tensor2d([row, [0, 5, 1, 2]]), 'runner-up', mulberry32(0));
    expect(Array.from(second.dataSync())).toEqual([1, 3]);
    const drawn = chooseTargetClasses(z, 'sampled', mulberry32(9)).dataSync();
    const counts = [0, 0, 0, 0];
    drawn.forEach((c) => (counts[c] = (counts[c] as number) + 1));
    expect(counts[0]).toBe(0);
    const rest = [1, 0, -1].map(Math.exp);
    const total = rest.reduce((a, b) => a + b, 0);
    rest.forEach((v, i) => expect(Math.abs((counts[i + 1] as number) / 4000 - v / total)).toBeLessThan(0.03));
    // a seed gives the same draw every time
    const again = chooseTargetClasses(z, 'sampled', mulberry32(9)).dataSync();
    expect(Array.from(again)).toEqual(Array.from(drawn));
    tf.dispose([z, second]);
  });
});

describe('maskedKd', () => {
  it('is the weighted mean of per-sample KL(p_T || p_S) at T, without T^2, and 0 with no valid sample', () => {
    const s = tf.tensor2d([[1, 0, -1], [0, 2, 0]]);
    const t = tf.tensor2d([[0, 1, 0], [3, 0, 0]]);
    const kl = (zs: number[], zt: number[], T: number) => {
      const soft = (z: number[]) => {
        const e = z.map((v) => Math.exp(v / T));
        const sum = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / sum);
      };
      const ps = soft(zs);
      return soft(zt).reduce((acc, p, i) => acc + p * Math.log(p / (ps[i] as number)), 0);
    };
    const w = tf.tensor1d([1, 0]);
    const both = tf.tensor1d([1, 1]);
    const none = tf.tensor1d([0, 0]);
    expect(tf.tidy(() => maskedKd(s, t, w, 3).dataSync()[0])).toBeCloseTo(kl([1, 0, -1], [0, 1, 0], 3), 6);
    expect(tf.tidy(() => maskedKd(s, t, both, 2).dataSync()[0])).toBeCloseTo((kl([1, 0, -1], [0, 1, 0], 2) + kl([0, 2, 0], [3, 0, 0], 2)) / 2, 6);
    expect(tf.tidy(() => maskedKd(s, t, none, 3).dataSync()[0])).toBe(0);
    tf.dispose([s, t, w, both, none]);
  });
});
