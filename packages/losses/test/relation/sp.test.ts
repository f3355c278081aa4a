import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { SP_DEFAULTS, similarityMatrix, spLoss } from '../../src/feature-relation.js';
import { contextOf, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from '../feature/helpers.js';
import type { Nested } from '../feature/helpers.js';

const g = golden['sp'] as { student: Nested; teacher: Nested; value: number };

describeLossConformance('sp on a map and a vector', {
  create: () => spLoss({ studentFeatures: ['m', 'h'], teacherFeatures: ['m', 'h'], beta: 10 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { m: [2, 2, 2], h: [3] }, teacherFeatures: { m: [2, 2, 5], h: [6] }, seed: 61 }),
  gradientCheck: { maxCoordinates: 16 },
  analyticCases: [
    {
      name: 'a scaled copy of the teacher gives 0',
      context: () => {
        const m = seededValues([3, 2, 2, 2], 5);
        const h = seededValues([3, 4], 6);
        return contextOf({ student: { m: tf.mul(m, 0.2), h: tf.mul(h, 9) }, teacher: { m, h } });
      },
      expected: { sp: 0 },
    },
  ],
});

describe('sp', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to beta 3000 (RepDistiller)', () => {
    expect(SP_DEFAULTS).toEqual({ studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], beta: 3000 });
  });

  it('matches NumPy for a map student and a vector teacher (golden)', () => {
    const context = contextOf({ student: { s: g.student }, teacher: { t: g.teacher } });
    const loss = spLoss({ studentFeatures: ['s'], teacherFeatures: ['t'] });
    loss.prepare?.(setupOf(context));
    expectClose(termOf(loss, context, 'sp'), g.value, 'sp');
    releaseContext(context);
  });

  it('row-normalises Q Q^T', () => {
    // Q = [[1, 0], [1, 1]] -> QQ^T = [[1, 1], [1, 2]] -> rows / [sqrt 2, sqrt 5]
    const values = tf.tidy(() => Array.from(similarityMatrix(tf.tensor2d([[1, 0], [1, 1]])).dataSync()));
    [1 / Math.SQRT2, 1 / Math.SQRT2, 1 / Math.sqrt(5), 2 / Math.sqrt(5)].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 6));
  });

  it('is invariant to scaling the student and bounded by 4 beta per pair', () => {
    const s = seededValues([5, 4], 1);
    const t = seededValues([5, 3], 2);
    const base = contextOf({ student: { h: s }, teacher: { h: t } });
    const scaled = contextOf({ student: { h: tf.mul(s, 0.01) }, teacher: { h: t.clone() } });
    const loss = spLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], beta: 1 });
    const value = termOf(loss, base, 'sp');
    expect(value).toBeGreaterThan(0.01);
    // each normalised row has unit norm, so ||G_T - G_S||^2 <= 4 B and the term <= 4 / B
    expect(value).toBeLessThanOrEqual(4 / 5);
    expectClose(termOf(loss, scaled, 'sp'), value, 'scaled', 1e-5);
    [base, scaled].forEach(releaseContext);
  });
});
