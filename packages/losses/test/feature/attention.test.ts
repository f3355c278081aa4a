import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { ATTENTION_DEFAULTS, attentionLoss, attentionMap } from '../../src/feature-relation.js';
import { codeOf, contextOf, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from './helpers.js';
import type { Nested } from './helpers.js';

interface AttentionGolden {
  pairs: Array<{ student: Nested; teacher: Nested }>;
  value: number;
  valueP3: number;
}
const g = golden['at'] as AttentionGolden;

describeLossConformance('at over two tap pairs (one pooled)', {
  create: () => attentionLoss({ studentFeatures: ['a', 'b'], teacherFeatures: ['a', 'b'] }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { a: [2, 2, 3], b: [4, 4, 2] }, teacherFeatures: { a: [2, 2, 5], b: [2, 2, 3] }, seed: 11 }),
  gradientCheck: { maxCoordinates: 16 },
  analyticCases: [
    {
      name: 'identical features give 0',
      context: () => {
        const a = seededValues([2, 2, 2, 3], 1);
        const b = seededValues([2, 4, 4, 2], 2);
        return contextOf({ student: { a, b }, teacher: { a: a.clone(), b: b.clone() } });
      },
      create: () => attentionLoss({ studentFeatures: ['a', 'b'], teacherFeatures: ['a', 'b'] }),
      expected: { at: 0 },
    },
  ],
});

describeLossConformance('at with p = 3', {
  create: () => attentionLoss({ studentFeatures: ['a'], teacherFeatures: ['a'], p: 3, beta: 10 }),
  makeContext: () => makeStepContext({ batch: 3, studentFeatures: { a: [2, 3, 2] }, teacherFeatures: { a: [2, 3, 4] }, seed: 12 }),
  gradientCheck: { maxCoordinates: 16 },
});

describe('attention transfer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to p = 2 and beta = 1000 (RepDistiller)', () => {
    expect(ATTENTION_DEFAULTS).toEqual({ studentFeatures: ['conv2'], teacherFeatures: ['conv2'], p: 2, beta: 1000 });
  });

  it('matches NumPy over three pairs: equal sizes, a larger teacher map, a larger student map (golden)', () => {
    const [p0, p1, p2] = g.pairs as [AttentionGolden['pairs'][0], AttentionGolden['pairs'][0], AttentionGolden['pairs'][0]];
    const context = contextOf({ student: { s0: p0.student, s1: p1.student, s2: p2.student }, teacher: { t0: p0.teacher, t1: p1.teacher, t2: p2.teacher } });
    const loss = attentionLoss({ studentFeatures: ['s0', 's1', 's2'], teacherFeatures: ['t0', 't1', 't2'] });
    loss.prepare?.(setupOf(context));
    expectClose(termOf(loss, context, 'at'), g.value, 'at');
    const p3 = attentionLoss({ studentFeatures: ['s0'], teacherFeatures: ['t0'], p: 3 });
    expectClose(termOf(p3, context, 'at'), g.valueP3, 'at p=3');
    releaseContext(context);
  });

  it('gives unit-norm maps that ignore the scale of the features and the number of channels', () => {
    const x = seededValues([2, 3, 3, 2], 5);
    const [norms, same] = tf.tidy(() => {
      const q = attentionMap(x, 2);
      const scaled = attentionMap(tf.mul(x, 7.5), 2);
      // duplicating every channel leaves mean_c a^2 unchanged
      const doubled = attentionMap(tf.concat([x, x], -1), 2);
      return [Array.from(tf.norm(q, 2, 1).dataSync()), Math.max(tf.max(tf.abs(tf.sub(q, scaled))).dataSync()[0] as number, tf.max(tf.abs(tf.sub(q, doubled))).dataSync()[0] as number)];
    });
    for (const n of norms as number[]) expect(n).toBeCloseTo(1, 6);
    expect(same).toBeLessThan(1e-6);
    x.dispose();
  });

  it('is invariant to scaling the student or the teacher features', () => {
    const s = seededValues([3, 2, 2, 3], 8);
    const t = seededValues([3, 2, 2, 4], 9);
    const base = contextOf({ student: { a: s }, teacher: { a: t } });
    const scaled = contextOf({ student: { a: tf.mul(s, 4.2) }, teacher: { a: tf.mul(t, 0.3) } });
    const loss = attentionLoss({ studentFeatures: ['a'], teacherFeatures: ['a'] });
    const value = termOf(loss, base, 'at');
    expect(value).toBeGreaterThan(1);
    expectClose(termOf(loss, scaled, 'at'), value, 'scaled', 1e-5);
    [base, scaled].forEach(releaseContext);
  });

  it('has a zero gradient (not NaN) for an all-zero student map', () => {
    const context = contextOf({ student: { a: tf.zeros([2, 2, 2, 2]) }, teacher: { a: seededValues([2, 2, 2, 2], 3) } });
    const loss = attentionLoss({ studentFeatures: ['a'], teacherFeatures: ['a'] });
    const gradient = tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => loss.compute({ ...context, student: { ...context.student, features: { a: x } } })['at'] as tf.Scalar);
      return Array.from(g(context.student.features['a'] as tf.Tensor).dataSync());
    });
    expect(gradient.every((v) => v === 0)).toBe(true);
    releaseContext(context);
  });

  it('rejects vector taps and spatial sizes that are not integer multiples, in prepare', () => {
    const context = contextOf({ student: { v: [[1, 2]], m: tf.zeros([1, 3, 3, 2]) }, teacher: { v: [[1, 2]], m: tf.zeros([1, 4, 4, 2]) } });
    const setup = setupOf(context);
    expect(codeOf(() => attentionLoss({ studentFeatures: ['v'], teacherFeatures: ['v'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => attentionLoss({ studentFeatures: ['m'], teacherFeatures: ['m'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => attentionLoss({ studentFeatures: ['m'], teacherFeatures: ['m'] }).prepare?.({ ...setup, teacherAccess: 'black-box' }))).toBe('TEACHER_ACCESS');
    releaseContext(context);
  });

  it('validates options', () => {
    expect(codeOf(() => attentionLoss({ p: 0.5 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => attentionLoss({ beta: Number.NaN }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => attentionLoss({ teacherFeatures: ['a', 'b'] }))).toBe('CONFIG_INVALID');
  });
});
