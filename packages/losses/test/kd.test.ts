import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kdLoss, KD_DEFAULTS } from '../src/index.js';
import type { KdOptions } from '../src/index.js';
import { contextFrom, LABELS, release, softmax64, STUDENT, studentGradient, TEACHER, termValue } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function kdValue(student: number[][], teacher: number[][], options: Partial<KdOptions> = {}): number {
  const context = contextFrom(student, teacher, student.map(() => 0));
  try {
    const loss = kdLoss(options);
    return termValue(() => loss.compute(context), 'kd');
  } finally {
    release(context);
  }
}

describe('kdLoss: documented defaults', () => {
  it('defaults to T = 4, x T^2, batchmean, forward KL(teacher || student)', () => {
    expect(KD_DEFAULTS).toEqual({ temperature: 4, scaleByT2: true, reduction: 'batchmean', direction: 'forward' });
    expect(kdLoss().options).toEqual(KD_DEFAULTS);
    expect(kdLoss().requires).toEqual({ teacher: 'any', minClasses: 2 });
  });

  it('equals T^2 x mean over samples of sum_c p_T (log p_T - log p_S), computed in float64', () => {
    const T = 4;
    let expected = 0;
    STUDENT.forEach((row, i) => {
      const pS = softmax64(row, T);
      const pT = softmax64(TEACHER[i] as number[], T);
      expected += pT.reduce((s, p, c) => s + p * (Math.log(p) - Math.log(pS[c] as number)), 0);
    });
    expected = (T * T * expected) / STUDENT.length;
    expect(kdValue(STUDENT, TEACHER)).toBeCloseTo(expected, 6);
  });
});

describe('kdLoss: analytic identities', () => {
  it('is 0 for identical logits, in both directions', () => {
    expect(kdValue(STUDENT, STUDENT)).toBeCloseTo(0, 6);
    expect(kdValue(STUDENT, STUDENT, { direction: 'reverse' })).toBeCloseTo(0, 6);
  });

  it('is 0 for logits that differ by a per-row constant (softmax is shift-invariant)', () => {
    const shifted = TEACHER.map((row, i) => row.map((z) => z + 10 * (i + 1)));
    expect(kdValue(TEACHER, shifted)).toBeCloseTo(0, 5);
  });

  it('is positive for different logits, in both directions', () => {
    expect(kdValue(STUDENT, TEACHER)).toBeGreaterThan(0.01);
    expect(kdValue(STUDENT, TEACHER, { direction: 'reverse' })).toBeGreaterThan(0.01);
  });

  it('reverse KL(p_S || p_T) equals forward with the roles of student and teacher swapped', () => {
    expect(kdValue(STUDENT, TEACHER, { direction: 'reverse' })).toBeCloseTo(kdValue(TEACHER, STUDENT), 5);
  });

  it('scales by exactly T^2 when scaleByT2 is on', () => {
    for (const T of [0.5, 2, 7]) {
      const scaled = kdValue(STUDENT, TEACHER, { temperature: T });
      const plain = kdValue(STUDENT, TEACHER, { temperature: T, scaleByT2: false });
      expect(scaled / plain).toBeCloseTo(T * T, 4);
    }
  });

  it('at temperature T equals the T = 1 loss on logits divided by T (times T^2)', () => {
    const T = 3;
    const divided = (m: number[][]) => m.map((row) => row.map((z) => z / T));
    const atT = kdValue(STUDENT, TEACHER, { temperature: T, scaleByT2: false });
    const atOne = kdValue(divided(STUDENT), divided(TEACHER), { temperature: 1, scaleByT2: false });
    expect(atT).toBeCloseTo(atOne, 6);
  });

  it("relates the reductions: 'sum' = batch x 'batchmean' = batch x classes x 'mean'", () => {
    const [batch, classes] = [STUDENT.length, (STUDENT[0] as number[]).length];
    const batchmean = kdValue(STUDENT, TEACHER);
    expect(kdValue(STUDENT, TEACHER, { reduction: 'sum' })).toBeCloseTo(batch * batchmean, 5);
    expect(kdValue(STUDENT, TEACHER, { reduction: 'mean' })).toBeCloseTo(batchmean / classes, 6);
  });

  it('has the closed-form gradient T (p_S - p_T) / batch w.r.t. the student logits (forward, x T^2, batchmean)', () => {
    const T = 2.5;
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = kdLoss({ temperature: T });
    const gradient = studentGradient(context, (c) => loss.compute(c), 'kd');
    const expected = STUDENT.flatMap((row, i) => {
      const pS = softmax64(row, T);
      const pT = softmax64(TEACHER[i] as number[], T);
      return pS.map((p, c) => (T * (p - (pT[c] as number))) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it('has the closed-form reverse gradient T p_S (log p_S - log p_T - KL_row) / batch', () => {
    const T = 2;
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = kdLoss({ temperature: T, direction: 'reverse' });
    const gradient = studentGradient(context, (c) => loss.compute(c), 'kd');
    const expected = STUDENT.flatMap((row, i) => {
      const pS = softmax64(row, T);
      const pT = softmax64(TEACHER[i] as number[], T);
      const ratio = pS.map((p, c) => Math.log(p) - Math.log(pT[c] as number));
      const kl = pS.reduce((s, p, c) => s + p * (ratio[c] as number), 0);
      return pS.map((p, c) => (T * p * ((ratio[c] as number) - kl)) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it.each(['forward', 'reverse'] as const)('passes no gradient to teacher logits on the tape (%s), as online schemes compute them', (direction) => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = kdLoss({ direction });
    const [gStudent, gTeacher] = tf.tidy(() => {
      const g = tf.grads((zS: tf.Tensor, zT: tf.Tensor) =>
        loss.compute({ ...context, student: { logits: zS as tf.Tensor2D, features: {} }, teacher: { logits: zT as tf.Tensor2D, features: {} } }).kd as tf.Scalar,
      );
      return g([context.student.logits, (context.teacher as { logits: tf.Tensor2D }).logits]).map((t) => Array.from(t.dataSync()));
    });
    expect(gTeacher).toEqual(new Array(12).fill(0));
    expect(Math.max(...(gStudent as number[]).map(Math.abs))).toBeGreaterThan(0.01);
    release(context);
  });
});

describe('kdLoss: numerical stability', () => {
  it('stays finite with logits of magnitude 1e4 (log-softmax, no log(0))', () => {
    const big = [
      [1e4, -1e4, 0],
      [-5e3, 8e3, 1],
    ];
    const other = [
      [-1e4, 1e4, 3],
      [7e3, -2e3, 0],
    ];
    for (const direction of ['forward', 'reverse'] as const) {
      for (const T of [1, 4]) {
        const v = kdValue(big, other, { direction, temperature: T });
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
    }
  });

  it('treats a teacher probability of exactly 0 (a black-box log p = -Infinity) as contributing 0 in forward KL', () => {
    const student = [[0.5, 1.0, -0.5]];
    const teacher = [[Math.log(0.7), Math.log(0.3), -Infinity]];
    const T = 1;
    const pS = softmax64(student[0] as number[], T);
    const expected = 0.7 * (Math.log(0.7) - Math.log(pS[0] as number)) + 0.3 * (Math.log(0.3) - Math.log(pS[1] as number));
    expect(kdValue(student, teacher, { temperature: T, scaleByT2: false })).toBeCloseTo(expected, 5);
    const context = contextFrom(student, teacher, [0]);
    const gradient = studentGradient(context, (c) => kdLoss({ temperature: T }).compute(c), 'kd');
    for (const g of gradient) expect(Number.isFinite(g)).toBe(true);
    release(context);
  });
});

describe('kdLoss: option validation', () => {
  const codeOf = (fn: () => unknown): { code?: string; hint?: string } => {
    try {
      fn();
    } catch (error) {
      return error as { code?: string; hint?: string };
    }
    return {};
  };

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '4' as unknown as number])('rejects temperature %s with a ConfigError and a hint', (temperature) => {
    const error = codeOf(() => kdLoss({ temperature }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.hint).toMatch(/temperature > 0/);
  });

  it('rejects unknown directions, reductions, non-boolean scaleByT2 and misspelt options', () => {
    expect(codeOf(() => kdLoss({ direction: 'backward' as 'forward' })).code).toBe('CONFIG_INVALID');
    expect(codeOf(() => kdLoss({ reduction: 'none' as 'sum' })).hint).toMatch(/"batchmean", "mean", "sum"/);
    expect(codeOf(() => kdLoss({ scaleByT2: 1 as unknown as boolean })).code).toBe('CONFIG_INVALID');
    expect(codeOf(() => kdLoss({ temprature: 2 } as Partial<KdOptions>)).hint).toMatch(/known options: temperature/);
  });

  it('rejects a class-count mismatch and a missing teacher when computing', () => {
    const context = contextFrom(STUDENT, [[1, 2, 3]], LABELS);
    expect(codeOf(() => kdLoss().compute(context)).code).toBe('CLASS_COUNT_MISMATCH');
    release(context);
    const noTeacher = contextFrom(STUDENT, undefined, LABELS);
    expect(codeOf(() => kdLoss().compute(noTeacher)).code).toBe('CONFIG_INVALID');
    release(noTeacher);
  });
});
