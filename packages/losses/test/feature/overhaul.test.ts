import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { erfc, marginFromMoments, OVERHAUL_DEFAULTS, overhaulLoss, partialL2 } from '../../src/feature-relation.js';
import type { OverhaulLoss, OverhaulOptions } from '../../src/feature-relation.js';
import { assign, codeOf, contextOf, expectAllClose, expectClose, golden, releaseContext, setupOf, termOf } from './helpers.js';
import type { Nested } from './helpers.js';

interface OverhaulBatch {
  studentMap: Nested;
  teacherMap: Nested;
  studentVec: Nested;
  teacherVec: Nested;
}
interface OverhaulGolden {
  batches: OverhaulBatch[];
  connectors: Array<{ kernel: Nested; bias: Nested }>;
  marginsA: number[][];
  marginsAB: number[][];
  valueA: number;
  valueBWithMarginsA: number;
  valueCWithMarginsAB: number;
  explicitMargin: number[];
  valueAExplicit: number;
}
const g = golden['overhaul'] as OverhaulGolden;
const goldenPairs: Partial<OverhaulOptions> = { studentFeatures: ['map', 'vec'], teacherFeatures: ['map', 'vec'] };

describeLossConformance('overhaul with an estimated margin (map pair pooled + vector pair)', {
  create: () => overhaulLoss({ ...goldenPairs, beta: 1 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { map: [2, 2, 3], vec: [3] }, teacherFeatures: { map: [4, 4, 2], vec: [5] }, seed: 31 }),
  gradientCheck: { maxCoordinates: 16 },
});

describeLossConformance('overhaul with an explicit margin, accumulated over 2 batches', {
  create: () => overhaulLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], margin: [-0.5], marginBatches: 2, beta: 1 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { h: [3] }, teacherFeatures: { h: [4] }, seed: 32 }),
  gradientCheck: { maxCoordinates: 16 },
});

function contextOfBatch(batch: OverhaulBatch) {
  return contextOf({ student: { map: batch.studentMap, vec: batch.studentVec }, teacher: { map: batch.teacherMap, vec: batch.teacherVec } });
}

function preparedGoldenLoss(options: Partial<OverhaulOptions>): OverhaulLoss {
  const context = contextOfBatch(g.batches[0] as OverhaulBatch);
  const loss = overhaulLoss({ ...goldenPairs, ...options });
  loss.prepare?.(setupOf(context));
  releaseContext(context);
  const variables = loss.variables?.() ?? {};
  g.connectors.forEach((c, i) => {
    assign(variables[`connector${i}/kernel`], c.kernel);
    assign(variables[`connector${i}/bias`], c.bias);
  });
  return loss;
}

describe('overhaul', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has documented defaults', () => {
    expect(OVERHAUL_DEFAULTS).toEqual({ studentFeatures: ['conv2'], teacherFeatures: ['conv2'], margin: [], marginBatches: 1, beta: 1e-3 });
  });

  it('matches NumPy over a sequence: batch margin, stored margin, margins of two batches, then frozen (golden)', () => {
    const loss = preparedGoldenLoss({ marginBatches: 2 });
    const [a, b, c] = g.batches.map(contextOfBatch) as [ReturnType<typeof contextOfBatch>, ReturnType<typeof contextOfBatch>, ReturnType<typeof contextOfBatch>];
    const margins = () => [0, 1].map((i) => Array.from(loss.state()[`pair${i}/margin`]?.dataSync() ?? []));

    // step 1 has no stored margin yet: it uses batch A's own statistics
    expectClose(termOf(loss, a, 'overhaul'), g.valueA, 'value on A');
    loss.afterStep?.(a);
    margins().forEach((m, i) => expectAllClose(m, g.marginsA[i] as number[], `margins after A, pair ${i}`, 2e-5));
    // step 2 uses the stored margins of A
    expectClose(termOf(loss, b, 'overhaul'), g.valueBWithMarginsA, 'value on B');
    loss.afterStep?.(b);
    margins().forEach((m, i) => expectAllClose(m, g.marginsAB[i] as number[], `margins after A+B, pair ${i}`, 2e-5));
    // marginBatches = 2: batch C no longer changes them
    loss.afterStep?.(c);
    margins().forEach((m, i) => expectAllClose(m, g.marginsAB[i] as number[], `margins after C, pair ${i}`, 2e-5));
    expect(loss.state()['marginBatchesSeen']?.dataSync()[0]).toBe(2);
    expectClose(termOf(loss, c, 'overhaul'), g.valueCWithMarginsAB, 'value on C');
    loss.dispose?.();
    [a, b, c].forEach(releaseContext);
  });

  it('matches NumPy with explicit per-channel margins, which afterStep never changes (golden)', () => {
    const loss = preparedGoldenLoss({ margin: g.explicitMargin });
    const a = contextOfBatch(g.batches[0] as OverhaulBatch);
    expectClose(termOf(loss, a, 'overhaul'), g.valueAExplicit, 'explicit');
    loss.afterStep?.(a);
    expectAllClose(loss.state()['pair0/margin']?.dataSync() ?? [], g.explicitMargin.slice(0, 5), 'margin pair 0', 1e-6);
    expectClose(termOf(loss, a, 'overhaul'), g.valueAExplicit, 'explicit after afterStep');
    loss.dispose?.();
    releaseContext(a);
  });

  it('partial L2: full L2 where the target is positive, only s > t elsewhere, teacher clipped at the margin', () => {
    // (s, t, margin) -> expected
    const cases: Array<[number, number, number, number]> = [
      [1, 2, -1, 1], // t > 0: (s - t)^2
      [3, 2, -1, 1], // t > 0: (s - t)^2
      [-2, -0.5, -1, 0], // t <= 0, s < t: no penalty
      [0.5, -0.5, -1, 1], // t <= 0, s > t: (s - t)^2
      [0, -3, -1, 1], // t clipped to the margin -1, s > -1: (0 + 1)^2
      [-2, -3, -1, 0], // clipped target -1, s < -1: no penalty
    ];
    const values = tf.tidy(() =>
      Array.from(partialL2(tf.tensor1d(cases.map((c) => c[0])), tf.tensor1d(cases.map((c) => c[1])), tf.tensor1d(cases.map((c) => c[2]))).dataSync()),
    );
    expect(values).toEqual(cases.map((c) => c[3]));
  });

  it('computes the margin E[x | x < 0] of a Gaussian, and -3 std when negatives are rarer than 0.1%', () => {
    // m = 0: E[x | x < 0] = -s sqrt(2 / pi); m = 4, s = 1: Phi(-4) < 1e-3 -> -3
    const [zeroMean, rare, negative] = tf.tidy(() => [
      marginFromMoments(tf.tensor1d([0]), tf.tensor1d([4])).dataSync()[0] as number,
      marginFromMoments(tf.tensor1d([4]), tf.tensor1d([1])).dataSync()[0] as number,
      marginFromMoments(tf.tensor1d([-1]), tf.tensor1d([1])).dataSync()[0] as number,
    ]);
    expect(zeroMean).toBeCloseTo(-2 * Math.sqrt(2 / Math.PI), 6);
    expect(rare).toBeCloseTo(-3, 6);
    // m = -1, s = 1: -1 - phi(-1) / Phi(1) = -1 - 0.2419707245 / 0.8413447461
    expect(negative).toBeCloseTo(-1 - 0.24197072451914337 / 0.8413447460685429, 6);
  });

  it('uses an erfc with small relative error deep in the tail', () => {
    const reference = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [-1, 1.8427007929497148],
    ] as const;
    const values = tf.tidy(() => Array.from(erfc(tf.tensor1d(reference.map((r) => r[0]))).dataSync()));
    reference.forEach(([, expected], i) => expect(Math.abs((values[i] as number) - expected) / expected).toBeLessThan(1e-6));
  });

  it('is 0 when the connected student equals a teacher whose values are all positive', () => {
    const context = contextOf({ student: { h: [[1, 2], [0.5, 3]] }, teacher: { h: [[1, 2], [0.5, 3]] } });
    const loss = overhaulLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    loss.prepare?.(setupOf(context));
    const variables = loss.variables?.() ?? {};
    assign(variables['connector0/kernel'], [[1, 0], [0, 1]]);
    assign(variables['connector0/bias'], [0, 0]);
    expect(termOf(loss, context, 'overhaul')).toBe(0);
    loss.dispose?.();
    releaseContext(context);
  });

  it('names its trainable connectors and its non-trainable margin state', () => {
    const loss = preparedGoldenLoss({});
    expect(Object.keys(loss.variables?.() ?? {})).toEqual(['connector0/kernel', 'connector0/bias', 'connector1/kernel', 'connector1/bias']);
    expect(Object.values(loss.variables?.() ?? {}).every((v) => v.trainable)).toBe(true);
    const state = loss.state();
    expect(Object.keys(state)).toContain('pair1/margin');
    expect(Object.values(state).every((v) => !v.trainable)).toBe(true);
    loss.dispose?.();
  });

  it('rejects a student map larger than the teacher map, mixed ranks, and a margin list of the wrong length', () => {
    const context = contextOf({ student: { m: tf.zeros([1, 4, 4, 2]), v: [[1, 2]] }, teacher: { m: tf.zeros([1, 2, 2, 3]), v: [[1, 2, 3]] } });
    const setup = setupOf(context);
    expect(codeOf(() => overhaulLoss({ studentFeatures: ['m'], teacherFeatures: ['m'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => overhaulLoss({ studentFeatures: ['v'], teacherFeatures: ['m'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => overhaulLoss({ studentFeatures: ['v'], teacherFeatures: ['v'], margin: [1, 2] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => overhaulLoss({ marginBatches: 0 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => overhaulLoss({ margin: [Number.NaN] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => overhaulLoss().compute(context))).toBe('CONFIG_INVALID');
    releaseContext(context);
  });
});
