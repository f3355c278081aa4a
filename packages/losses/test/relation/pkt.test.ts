import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { cosineConditionals, PKT_DEFAULTS, pktLoss } from '../../src/feature-relation.js';
import { contextOf, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from '../feature/helpers.js';
import type { Nested } from '../feature/helpers.js';

const g = golden['pkt'] as { student: Nested; teacher: Nested; value: number };

describeLossConformance('pkt', {
  create: () => pktLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], beta: 100 }),
  makeContext: () => makeStepContext({ batch: 5, studentFeatures: { h: [3] }, teacherFeatures: { h: [6] }, seed: 51 }),
  gradientCheck: { maxCoordinates: 15 },
  analyticCases: [
    {
      name: 'a scaled copy of the teacher gives 0',
      context: () => {
        const t = seededValues([4, 3], 9);
        return contextOf({ student: { h: tf.mul(t, 3) }, teacher: { h: t } });
      },
      expected: { pkt: 0 },
    },
  ],
});

describe('pkt', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to beta 30000 (RepDistiller)', () => {
    expect(PKT_DEFAULTS).toEqual({ studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], beta: 30000 });
  });

  it('matches NumPy (golden)', () => {
    const context = contextOf({ student: { s: g.student }, teacher: { t: g.teacher } });
    const loss = pktLoss({ studentFeatures: ['s'], teacherFeatures: ['t'] });
    loss.prepare?.(setupOf(context));
    expectClose(termOf(loss, context, 'pkt'), g.value, 'pkt');
    releaseContext(context);
  });

  it('turns cosine similarities into row-stochastic conditional probabilities', () => {
    // orthogonal rows: K = [[1, 0.5], [0.5, 1]] -> P = [[2/3, 1/3], [1/3, 2/3]]
    const p = tf.tidy(() => Array.from(cosineConditionals(tf.tensor2d([[2, 0], [0, 5]])).dataSync()));
    [2 / 3, 1 / 3, 1 / 3, 2 / 3].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 6));
  });

  it('is invariant to scaling the student and positive for different geometry', () => {
    const s = seededValues([6, 4], 3);
    const t = seededValues([6, 5], 4);
    const base = contextOf({ student: { h: s }, teacher: { h: t } });
    const scaled = contextOf({ student: { h: tf.mul(s, 11) }, teacher: { h: t.clone() } });
    const loss = pktLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    const value = termOf(loss, base, 'pkt');
    expect(value).toBeGreaterThan(1);
    expectClose(termOf(loss, scaled, 'pkt'), value, 'scaled', 1e-5);
    [base, scaled].forEach(releaseContext);
  });
});
