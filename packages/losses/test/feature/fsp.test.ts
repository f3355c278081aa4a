import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { FSP_DEFAULTS, fspLoss, fspMatrix } from '../../src/feature-relation.js';
import { codeOf, contextOf, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from './helpers.js';
import type { Nested } from './helpers.js';

const g = golden['fsp'] as { student: Nested[]; teacher: Nested[]; value: number };

describeLossConformance('fsp over three layers', {
  create: () => fspLoss({ studentFeatures: ['a', 'b', 'c'], teacherFeatures: ['a', 'b', 'c'] }),
  makeContext: () =>
    makeStepContext({ batch: 3, studentFeatures: { a: [4, 4, 2], b: [2, 2, 3], c: [2, 2, 2] }, teacherFeatures: { a: [2, 2, 2], b: [2, 2, 3], c: [4, 4, 2] }, seed: 21 }),
  gradientCheck: { maxCoordinates: 16 },
  analyticCases: [
    {
      name: 'identical features give 0',
      context: () => {
        const a = seededValues([2, 2, 2, 2], 1);
        const b = seededValues([2, 2, 2, 3], 2);
        const c = seededValues([2, 4, 4, 2], 3);
        return contextOf({ student: { a, b, c }, teacher: { a: a.clone(), b: b.clone(), c: c.clone() } });
      },
      expected: { fsp: 0 },
    },
  ],
});

describe('fsp', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to one FSP matrix between conv1 and conv2, beta 50 (RepDistiller)', () => {
    expect(FSP_DEFAULTS).toEqual({ studentFeatures: ['conv1', 'conv2'], teacherFeatures: ['conv1', 'conv2'], beta: 50 });
  });

  it('matches NumPy with pooling within and across networks (golden)', () => {
    const context = contextOf({
      student: { a: g.student[0] as Nested, b: g.student[1] as Nested, c: g.student[2] as Nested },
      teacher: { a: g.teacher[0] as Nested, b: g.teacher[1] as Nested, c: g.teacher[2] as Nested },
    });
    const loss = fspLoss({ studentFeatures: ['a', 'b', 'c'], teacherFeatures: ['a', 'b', 'c'] });
    loss.prepare?.(setupOf(context));
    expectClose(termOf(loss, context, 'fsp'), g.value, 'fsp');
    releaseContext(context);
  });

  it('computes G[i, j] = mean over positions of F1_i F2_j', () => {
    // one sample, 2x1 positions: F1 = [[1, 2], [3, 4]], F2 = [[5], [6]] -> G = [[(5 + 18) / 2], [(10 + 24) / 2]]
    const g1 = tf.tidy(() => Array.from(fspMatrix(tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]), tf.tensor4d([5, 6], [1, 2, 1, 1])).dataSync()));
    expect(g1).toEqual([11.5, 17]);
  });

  it('rejects channel mismatches, vector taps, incompatible sizes and fewer than two taps', () => {
    const context = contextOf({
      student: { a: tf.zeros([1, 2, 2, 2]), b: tf.zeros([1, 2, 2, 3]), v: [[1, 2]], odd: tf.zeros([1, 3, 3, 3]) },
      teacher: { a: tf.zeros([1, 2, 2, 2]), b: tf.zeros([1, 2, 2, 4]) },
    });
    const setup = setupOf(context);
    expect(codeOf(() => fspLoss({ studentFeatures: ['a', 'b'], teacherFeatures: ['a', 'b'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fspLoss({ studentFeatures: ['a', 'v'], teacherFeatures: ['a', 'a'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fspLoss({ studentFeatures: ['a', 'odd'], teacherFeatures: ['a', 'a'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fspLoss({ studentFeatures: ['a'], teacherFeatures: ['a'] }))).toBe('CONFIG_INVALID');
    releaseContext(context);
  });
});
