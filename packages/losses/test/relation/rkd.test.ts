import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { RKD_DEFAULTS, rkdLoss } from '../../src/feature-relation.js';
import { codeOf, contextOf, expectClose, golden, releaseContext, seededValues, setupOf, termOf } from '../feature/helpers.js';
import type { Nested } from '../feature/helpers.js';

interface RkdCase {
  student: Nested;
  teacher: Nested;
  distance: number;
  angle: number;
}
const g = golden['rkd'] as { vector: RkdCase; map: RkdCase };

describeLossConformance('rkd distance + angle', {
  create: () => rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] }),
  makeContext: () => makeStepContext({ batch: 5, studentFeatures: { h: [3] }, teacherFeatures: { h: [6] }, seed: 41 }),
  gradientCheck: { maxCoordinates: 15 },
  analyticCases: [
    {
      name: 'a scaled copy of the teacher gives 0 (both terms are scale-invariant)',
      context: () => {
        const t = seededValues([5, 6], 3);
        return contextOf({ student: { h: tf.mul(t, 2.5) }, teacher: { h: t } });
      },
      create: () => rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] }),
      expected: { rkdDistance: 0, rkdAngle: 0 },
    },
  ],
});

describeLossConformance('rkd on NHWC maps, distance only', {
  create: () => rkdLoss({ studentFeatures: ['m'], teacherFeatures: ['v'], angleWeight: 0 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { m: [2, 2, 2] }, teacherFeatures: { v: [3] }, seed: 42 }),
  gradientCheck: { maxCoordinates: 16 },
});

describe('rkd', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('uses the paper code weights 25 (distance) and 50 (angle)', () => {
    expect(RKD_DEFAULTS).toEqual({ studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], distanceWeight: 25, angleWeight: 50 });
  });

  it.each(['vector', 'map'] as const)('matches NumPy on %s features (golden)', (kind) => {
    const c = g[kind];
    const context = contextOf({ student: { s: c.student }, teacher: { t: c.teacher } });
    const loss = rkdLoss({ studentFeatures: ['s'], teacherFeatures: ['t'] });
    loss.prepare?.(setupOf(context));
    expectClose(termOf(loss, context, 'rkdDistance'), c.distance, 'distance');
    expectClose(termOf(loss, context, 'rkdAngle'), c.angle, 'angle');
    releaseContext(context);
  });

  it('is invariant to scaling and translating the student (distances by their mean, angles by construction)', () => {
    const s = seededValues([6, 4], 7);
    const t = seededValues([6, 5], 8);
    const base = contextOf({ student: { h: s }, teacher: { h: t } });
    const moved = contextOf({ student: { h: tf.add(tf.mul(s, 0.37), 5) }, teacher: { h: t.clone() } });
    const loss = rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    for (const term of ['rkdDistance', 'rkdAngle']) {
      const value = termOf(loss, base, term);
      expect(value).toBeGreaterThan(0.01);
      expectClose(termOf(loss, moved, term), value, term, 2e-5);
    }
    [base, moved].forEach(releaseContext);
  });

  it('leaves out a term whose weight is 0, and scales each term by its weight', () => {
    const context = contextOf({ student: { h: seededValues([4, 3], 1) }, teacher: { h: seededValues([4, 3], 2) } });
    const distanceOnly = rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], angleWeight: 0 });
    const terms = tf.tidy(() => Object.keys(distanceOnly.compute(context)));
    expect(terms).toEqual(['rkdDistance']);
    const weighted = termOf(rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], distanceWeight: 1 }), context, 'rkdDistance');
    expectClose(termOf(distanceOnly, context, 'rkdDistance'), 25 * weighted, 'weight');
    releaseContext(context);
  });

  it('has finite gradients when two student samples coincide', () => {
    const context = contextOf({ student: { h: [[1, 2], [1, 2], [0, -1], [3, 1]] }, teacher: { h: seededValues([4, 3], 4) } });
    const loss = rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    const gradient = tf.tidy(() => {
      const grad = tf.grad((x: tf.Tensor) => {
        const terms = loss.compute({ ...context, student: { ...context.student, features: { h: x } } });
        return tf.add(terms['rkdDistance'] as tf.Scalar, terms['rkdAngle'] as tf.Scalar) as tf.Scalar;
      });
      return Array.from(grad(context.student.features['h'] as tf.Tensor).dataSync());
    });
    expect(gradient.every(Number.isFinite)).toBe(true);
    releaseContext(context);
  });

  it('rejects a batch of 1 and two zero weights', () => {
    const context = contextOf({ student: { h: [[1, 2]] }, teacher: { h: [[1, 2]] } });
    expect(codeOf(() => rkdLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] }).compute(context))).toBe('CONFIG_INVALID');
    expect(codeOf(() => rkdLoss({ distanceWeight: 0, angleWeight: 0 }))).toBe('CONFIG_INVALID');
    releaseContext(context);
  });
});
