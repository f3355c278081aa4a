import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { FITNETS_DEFAULTS, fitNetsLoss } from '../../src/feature-relation.js';
import type { FitNetsOptions } from '../../src/feature-relation.js';
import { assign, codeOf, contextOf, expectClose, golden, releaseContext, setupOf, termOf } from './helpers.js';
import type { Nested } from './helpers.js';

interface FitNetsGolden {
  vector: { student: Nested; teacher: Nested; kernel: Nested; bias: Nested };
  map: { student: Nested; teacher: Nested; kernel: Nested; bias: Nested };
  equal: { student: Nested; teacher: Nested };
  beta: number;
  value: number;
  valueNever: number;
}
const g = golden['fitnets'] as FitNetsGolden;

const twoPairs: Partial<FitNetsOptions> = { studentFeatures: ['v', 'm'], teacherFeatures: ['tv', 'tm'] };

describeLossConformance('fitnets with dense and 1x1-conv regressors', {
  create: () => fitNetsLoss(twoPairs),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { v: [3], m: [2, 2, 2] }, teacherFeatures: { tv: [5], tm: [2, 2, 3] }, seed: 5 }),
  gradientCheck: { maxCoordinates: 16 },
});

describeLossConformance('fitnets without a regressor (equal shapes)', {
  create: () => fitNetsLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], regressor: 'never', beta: 1 }),
  makeContext: () => makeStepContext({ batch: 4, studentFeatures: { h: [4] }, teacherFeatures: { h: [4] }, seed: 6 }),
  analyticCases: [
    {
      name: 'identical student and teacher features give 0',
      context: () => {
        const same = [[1, -2, 0.5, 3], [0, 1, 1, -1], [2, 2, -2, 0.25], [-1, 0, 0, 4]];
        return contextOf({ student: { h: same }, teacher: { h: same } });
      },
      expected: { fitnets: 0 },
    },
    {
      name: 'a constant offset c gives c^2 (mean squared error)',
      context: () => contextOf({ student: { h: [[1, 2, 3, 4]] }, teacher: { h: [[1.5, 2.5, 3.5, 4.5]] } }),
      expected: { fitnets: 0.25 },
    },
  ],
});

describe('fitnets', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has documented defaults and declares white-box taps', () => {
    expect(FITNETS_DEFAULTS).toEqual({ studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], regressor: 'auto', beta: 100 });
    const loss = fitNetsLoss(twoPairs);
    expect(loss.requires).toEqual({ teacher: 'white-box', studentFeatures: ['v', 'm'], teacherFeatures: ['tv', 'tm'] });
  });

  it('matches NumPy with a dense and a 1x1-conv regressor (golden)', () => {
    const context = contextOf({ student: { v: g.vector.student, m: g.map.student }, teacher: { tv: g.vector.teacher, tm: g.map.teacher } });
    const loss = fitNetsLoss(twoPairs);
    loss.prepare?.(setupOf(context));
    const variables = loss.variables?.() ?? {};
    expect(Object.keys(variables).sort()).toEqual(['regressor0/bias', 'regressor0/kernel', 'regressor1/bias', 'regressor1/kernel']);
    assign(variables['regressor0/kernel'], g.vector.kernel);
    assign(variables['regressor0/bias'], g.vector.bias);
    assign(variables['regressor1/kernel'], g.map.kernel);
    assign(variables['regressor1/bias'], g.map.bias);
    expectClose(termOf(loss, context, 'fitnets'), g.value, 'fitnets');
    loss.dispose?.();
    releaseContext(context);
  });

  it('matches NumPy without a regressor when shapes are equal (golden)', () => {
    const context = contextOf({ student: { h: g.equal.student }, teacher: { h: g.equal.teacher } });
    const loss = fitNetsLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    loss.prepare?.(setupOf(context));
    expect(loss.variables?.()).toEqual({});
    expectClose(termOf(loss, context, 'fitnets'), g.valueNever, 'fitnets');
    releaseContext(context);
  });

  it("adds a regressor for equal shapes only with regressor 'always'", () => {
    const context = contextOf({ student: { h: [[1, 2]] }, teacher: { h: [[3, 4]] } });
    const loss = fitNetsLoss({ studentFeatures: ['h'], teacherFeatures: ['h'], regressor: 'always' });
    loss.prepare?.(setupOf(context));
    expect(Object.keys(loss.variables?.() ?? {})).toEqual(['regressor0/kernel', 'regressor0/bias']);
    loss.dispose?.();
    releaseContext(context);
  });

  it('initialises regressors from the setup seed: same seed same values, another seed other values', () => {
    const context = contextOf({ student: { h: [[1, 2, 3]] }, teacher: { h: [[1, 2, 3, 4]] } });
    const kernelOf = (seed: number) => {
      const loss = fitNetsLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
      loss.prepare?.(setupOf(context, { seed }));
      const values = Array.from(loss.variables?.()['regressor0/kernel']?.dataSync() ?? []);
      loss.dispose?.();
      return values;
    };
    const limit = Math.sqrt(6 / 7);
    expect(kernelOf(3)).toEqual(kernelOf(3));
    expect(kernelOf(3)).not.toEqual(kernelOf(4));
    for (const v of kernelOf(3)) expect(Math.abs(v)).toBeLessThanOrEqual(limit);
    releaseContext(context);
  });

  it('rejects shapes it cannot regress, and unequal shapes with regressor "never", in prepare', () => {
    const context = contextOf({ student: { v: [[1, 2]], m: tf.zeros([1, 4, 4, 2]) }, teacher: { v: [[1, 2, 3]], m: tf.zeros([1, 2, 2, 2]), m3: tf.zeros([1, 4, 4, 3]) } });
    const setup = setupOf(context);
    expect(codeOf(() => fitNetsLoss({ studentFeatures: ['v'], teacherFeatures: ['m'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ studentFeatures: ['m'], teacherFeatures: ['m'] }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ studentFeatures: ['v'], teacherFeatures: ['v'], regressor: 'never' }).prepare?.(setup))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ studentFeatures: ['x'], teacherFeatures: ['v'] }).prepare?.(setup))).toBe('FEATURE_MISSING');
    const ok = fitNetsLoss({ studentFeatures: ['m'], teacherFeatures: ['m3'] });
    expect(codeOf(() => ok.prepare?.(setup))).toBe('nothing thrown');
    ok.dispose?.();
    releaseContext(context);
  });

  it('refuses to compute before prepare, and a tap whose shape changed since prepare', () => {
    const context = contextOf({ student: { h: [[1, 2]] }, teacher: { h: [[1, 2, 3]] } });
    const loss = fitNetsLoss({ studentFeatures: ['h'], teacherFeatures: ['h'] });
    expect(codeOf(() => loss.compute(context))).toBe('CONFIG_INVALID');
    loss.prepare?.(setupOf(context));
    const other = contextOf({ student: { h: [[1, 2, 3, 4]] }, teacher: { h: [[1, 2, 3]] } });
    expect(codeOf(() => loss.compute(other))).toBe('CONFIG_INVALID');
    const missing = contextOf({ student: { g: [[1, 2]] }, teacher: { h: [[1, 2, 3]] } });
    expect(codeOf(() => loss.compute(missing))).toBe('FEATURE_MISSING');
    loss.dispose?.();
    [context, other, missing].forEach(releaseContext);
  });

  it('validates options', () => {
    expect(codeOf(() => fitNetsLoss({ studentFeatures: [] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ studentFeatures: ['a', 'b'] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ regressor: 'sometimes' as 'auto' }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ beta: -1 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitNetsLoss({ hint: 'x' } as Partial<FitNetsOptions>))).toBe('CONFIG_INVALID');
  });
});
