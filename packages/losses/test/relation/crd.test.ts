import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { CRD_DEFAULTS, contrastNceLoss, crdLoss, sampleContrastIndices } from '../../src/feature-relation.js';
import type { CrdLoss } from '../../src/feature-relation.js';
import { assign, codeOf, contextOf, expectAllClose, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from '../feature/helpers.js';
import type { Nested } from '../feature/helpers.js';

interface CrdGolden {
  datasetSize: number;
  embedDim: number;
  temperature: number;
  momentum: number;
  beta: number;
  embedStudent: { kernel: Nested; bias: Nested };
  embedTeacher: { kernel: Nested; bias: Nested };
  initial: { memoryStudent: Nested; memoryTeacher: Nested };
  steps: Array<{ indices: number[]; contrast: number[][]; student: Nested; teacher: Nested }>;
  values: number[];
  z: [number, number];
  memoriesAfter: Array<{ memoryStudent: number[][]; memoryTeacher: number[][] }>;
}
const g = golden['crd'] as CrdGolden;

describeLossConformance('crd (K = 6 negatives over 16 samples)', {
  create: () => crdLoss({ studentFeature: 'h', teacherFeature: 'h', embedDim: 4, negatives: 6 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { h: [3] }, teacherFeatures: { h: [5] }, datasetSize: 16, seed: 71 }),
  gradientCheck: { maxCoordinates: 12 },
});

describeLossConformance('crd on an NHWC student map', {
  create: () => crdLoss({ studentFeature: 'm', teacherFeature: 'h', embedDim: 3, negatives: 4, temperature: 0.5 }),
  makeContext: () => makeStepContext({ batch: 3, studentFeatures: { m: [2, 2, 2] }, teacherFeatures: { h: [4] }, datasetSize: 12, seed: 72 }),
  gradientCheck: { maxCoordinates: 12 },
});

function goldenLoss(): CrdLoss {
  const first = g.steps[0] as CrdGolden['steps'][0];
  const context = contextOf({ student: { s: first.student }, teacher: { t: first.teacher }, indices: first.indices });
  const loss = crdLoss({ studentFeature: 's', teacherFeature: 't', embedDim: g.embedDim, negatives: 3, temperature: g.temperature, momentum: g.momentum, beta: g.beta });
  loss.prepare?.(setupOf(context, { datasetSize: g.datasetSize }));
  releaseContext(context);
  const variables = loss.variables?.() ?? {};
  assign(variables['embedStudent/kernel'], g.embedStudent.kernel);
  assign(variables['embedStudent/bias'], g.embedStudent.bias);
  assign(variables['embedTeacher/kernel'], g.embedTeacher.kernel);
  assign(variables['embedTeacher/bias'], g.embedTeacher.bias);
  assign(loss.state()['memoryStudent'], g.initial.memoryStudent);
  assign(loss.state()['memoryTeacher'], g.initial.memoryTeacher);
  return loss;
}

describe('crd', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has RepDistiller defaults (T 0.07, momentum 0.5, 128-d embeddings, beta 0.8) and a small K', () => {
    expect(CRD_DEFAULTS).toEqual({ studentFeature: 'hidden1', teacherFeature: 'hidden1', embedDim: 128, negatives: 4096, temperature: 0.07, momentum: 0.5, beta: 0.8 });
    expect(crdLoss().requires).toEqual({ teacher: 'white-box', studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], sampleIndices: true });
  });

  it('matches NumPy over two steps with explicit contrast indices: Z from step 1, momentum memory update (golden)', () => {
    const loss = goldenLoss();
    g.steps.forEach((step, i) => {
      const context = contextOf({ student: { s: step.student }, teacher: { t: step.teacher }, indices: step.indices });
      const contrast = tf.tensor2d(step.contrast, undefined, 'int32');
      const value = tf.tidy(() => loss.computeWithContrast(context, contrast).crd.dataSync()[0] as number);
      expectClose(value, g.values[i] as number, `step ${i}`);
      if (i === 0) {
        expectClose(loss.state()['zStudent']?.dataSync()[0] as number, g.z[0], 'Z_v1', 1e-5);
        expectClose(loss.state()['zTeacher']?.dataSync()[0] as number, g.z[1], 'Z_v2', 1e-5);
      }
      loss.afterStep?.(context);
      const after = g.memoriesAfter[i] as CrdGolden['memoriesAfter'][0];
      expectAllClose(loss.state()['memoryStudent']?.dataSync() ?? [], after.memoryStudent.flat(), `student memory after step ${i}`, 1e-6);
      expectAllClose(loss.state()['memoryTeacher']?.dataSync() ?? [], after.memoryTeacher.flat(), `teacher memory after step ${i}`, 1e-6);
      contrast.dispose();
      releaseContext(context);
    });
    loss.dispose?.();
  });

  it('computes the NCE objective of RepDistiller ContrastLoss', () => {
    // one row, K = 2, N = 4: m Pn = 0.5; -(log(0.5 / 1.0) + log(0.5 / 0.75) + log(0.5 / 0.6))
    const value = tf.tidy(() => contrastNceLoss(tf.tensor2d([[0.5, 0.25, 0.1]]), 4).dataSync()[0] as number);
    expect(value).toBeCloseTo(-(Math.log(0.5 / (1 + 1e-7)) + Math.log(0.5 / (0.75 + 1e-7)) + Math.log(0.5 / (0.6 + 1e-7))), 5);
  });

  it('draws negatives as a pure function of (seed, step), with the positives in column 0', () => {
    const indices = tf.tensor1d([5, 1, 9], 'int32');
    const draw = (seed: number, step: number) => tf.tidy(() => sampleContrastIndices(indices, 50, 10, seed, step).arraySync());
    const a = draw(1, 3);
    expect(a.map((row) => row[0])).toEqual([5, 1, 9]);
    expect(a.every((row) => row.length === 51 && row.every((v) => Number.isInteger(v) && v >= 0 && v < 10))).toBe(true);
    expect(draw(1, 3)).toEqual(a);
    expect(draw(1, 4)).not.toEqual(a);
    expect(draw(2, 3)).not.toEqual(a);
    // every sample index is drawn somewhere among 150 uniform draws over 10
    expect(new Set(a.flatMap((row) => row.slice(1))).size).toBe(10);
    indices.dispose();
  });

  it('gives the same value twice for one step and caps K at N - 1', () => {
    const context = contextOf({ student: { h: seededValues([4, 3], 1) }, teacher: { h: seededValues([4, 5], 2) }, indices: [0, 3, 5, 7], step: 12 });
    const loss = crdLoss({ studentFeature: 'h', teacherFeature: 'h', embedDim: 4 });
    loss.prepare?.(setupOf(context, { datasetSize: 8 }));
    expect(loss.negativesUsed).toBe(7);
    const first = termOf(loss, context, 'crd');
    expect(termOf(loss, context, 'crd')).toBe(first);
    loss.dispose?.();
    releaseContext(context);
  });

  it('updates only the memory rows of the batch, to unit norm, and trains only the heads', () => {
    const context = contextOf({ student: { h: seededValues([3, 3], 3) }, teacher: { h: seededValues([3, 5], 4) }, indices: [1, 4, 6] });
    const loss = crdLoss({ studentFeature: 'h', teacherFeature: 'h', embedDim: 4, negatives: 5 });
    loss.prepare?.(setupOf(context, { datasetSize: 8 }));
    const before = loss.state()['memoryStudent']?.arraySync() as number[][];
    loss.afterStep?.(context);
    const after = loss.state()['memoryStudent']?.arraySync() as number[][];
    after.forEach((row, i) => {
      if ([1, 4, 6].includes(i)) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      else expect(row).toEqual(before[i]);
    });
    expect(Object.keys(loss.variables?.() ?? {})).toEqual(['embedStudent/kernel', 'embedStudent/bias', 'embedTeacher/kernel', 'embedTeacher/bias']);
    expect(Object.values(loss.state()).every((v) => !v.trainable)).toBe(true);
    loss.dispose?.();
    releaseContext(context);
  });

  it('fails clearly without a usable dataset size, indices that do not match the batch, or before prepare', () => {
    const context = contextOf({ student: { h: [[1, 2], [3, 4]] }, teacher: { h: [[1, 2], [3, 4]] } });
    const loss = crdLoss({ studentFeature: 'h', teacherFeature: 'h', embedDim: 2 });
    expect(codeOf(() => loss.compute(context))).toBe('CONFIG_INVALID');
    expect(codeOf(() => loss.prepare?.(setupOf(context, { datasetSize: 0 })))).toBe('CONFIG_INVALID');
    expect(codeOf(() => loss.prepare?.(setupOf(context, { datasetSize: 1 })))).toBe('CONFIG_INVALID');
    loss.prepare?.(setupOf(context, { datasetSize: 10 }));
    const wrongIndices = { ...context, indices: tf.tensor1d([0, 1, 2], 'int32') };
    expect(codeOf(() => loss.compute(wrongIndices))).toBe('CONFIG_INVALID');
    wrongIndices.indices.dispose();
    expect(codeOf(() => crdLoss({ temperature: 0 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => crdLoss({ momentum: 1.5 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => crdLoss({ negatives: 2.5 }))).toBe('CONFIG_INVALID');
    loss.dispose?.();
    releaseContext(context);
  });
});
