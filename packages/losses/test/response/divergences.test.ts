import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeLoss } from '@distillery/core';
import { bdkdLoss, BDKD_DEFAULTS, jsDivergence, kdLoss, reverseKl, REVERSE_KL_DEFAULTS } from '../../src/index.js';
import { contextFrom, release, softmax64, STUDENT, studentGradient, TEACHER, termValue } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function value(loss: KnowledgeLoss, student: number[][], teacher: number[][], term: string): number {
  const context = contextFrom(student, teacher, student.map(() => 0));
  try {
    return termValue(() => loss.compute(context), term);
  } finally {
    release(context);
  }
}

const kl64 = (p: readonly number[], q: readonly number[]): number => p.reduce((s, pc, c) => s + (pc > 0 ? pc * Math.log(pc / (q[c] as number)) : 0), 0);
const entropy64 = (p: readonly number[]): number => -p.reduce((s, pc) => s + (pc > 0 ? pc * Math.log(pc) : 0), 0);

describe('reverse-kl', () => {
  it('defaults to T = 4, x T^2, batchmean, any teacher', () => {
    expect(reverseKl().options).toEqual(REVERSE_KL_DEFAULTS);
    expect(REVERSE_KL_DEFAULTS).toEqual({ temperature: 4, scaleByT2: true, reduction: 'batchmean' });
    expect(reverseKl().requires).toEqual({ teacher: 'any', minClasses: 2 });
  });

  it('is KL(p_S || p_T): kd in the reverse direction, and forward kd with the roles swapped', () => {
    for (const temperature of [1, 2.5, 4]) {
      const reverse = value(reverseKl({ temperature }), STUDENT, TEACHER, 'reverseKl');
      expect(reverse).toBeCloseTo(value(kdLoss({ temperature, direction: 'reverse' }), STUDENT, TEACHER, 'kd'), 6);
      expect(reverse).toBeCloseTo(value(kdLoss({ temperature }), TEACHER, STUDENT, 'kd'), 5);
    }
  });

  it('has the closed-form gradient T p_S (d - sum_c p_S d) / B, d = log p_S - log p_T', () => {
    const T = 2;
    const context = contextFrom(STUDENT, TEACHER, [0, 0, 0]);
    const gradient = studentGradient(context, (c) => reverseKl({ temperature: T }).compute(c), 'reverseKl');
    const expected = STUDENT.flatMap((row, i) => {
      const pS = softmax64(row, T);
      const pT = softmax64(TEACHER[i] as number[], T);
      const d = pS.map((p, c) => Math.log(p / (pT[c] as number)));
      const mean = pS.reduce((s, p, c) => s + p * (d[c] as number), 0);
      return pS.map((p, c) => (T * p * ((d[c] as number) - mean)) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it('rejects a non-positive temperature and unknown options', () => {
    expect(() => reverseKl({ temperature: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => reverseKl({ direction: 'forward' } as never)).toThrow(/unknown option "direction"/);
  });
});

describe('js', () => {
  it('is symmetric in student and teacher', () => {
    expect(value(jsDivergence(), STUDENT, TEACHER, 'js')).toBeCloseTo(value(jsDivergence(), TEACHER, STUDENT, 'js'), 6);
  });

  it('equals (KL(p_T || m) + KL(p_S || m)) / 2 x T^2, computed in float64', () => {
    const T = 3;
    const expected =
      (T * T * STUDENT.reduce((s, row, i) => {
        const pS = softmax64(row, T);
        const pT = softmax64(TEACHER[i] as number[], T);
        const m = pS.map((p, c) => (p + (pT[c] as number)) / 2);
        return s + (kl64(pT, m) + kl64(pS, m)) / 2;
      }, 0)) /
      STUDENT.length;
    expect(value(jsDivergence({ temperature: T }), STUDENT, TEACHER, 'js')).toBeCloseTo(expected, 6);
  });

  it('is bounded by log 2 per sample even for disjoint confident predictions (and stays finite)', () => {
    const js = value(jsDivergence({ temperature: 1, scaleByT2: false }), [[60, -60, 0]], [[-60, 60, 0]], 'js');
    expect(js).toBeLessThanOrEqual(Math.log(2) + 1e-6);
    expect(js).toBeCloseTo(Math.log(2), 5);
  });
});

describe('bdkd', () => {
  it('defaults to T = 4, x T^2, emphasis 2, base 1', () => {
    expect(bdkdLoss().options).toEqual(BDKD_DEFAULTS);
    expect(BDKD_DEFAULTS).toEqual({ temperature: 4, scaleByT2: true, emphasisWeight: 2, baseWeight: 1 });
  });

  it('with equal weights w is w x (forward KL + reverse KL)', () => {
    const both = value(bdkdLoss({ emphasisWeight: 1.5, baseWeight: 1.5 }), STUDENT, TEACHER, 'bdkd');
    const forward = value(kdLoss(), STUDENT, TEACHER, 'kd');
    const reverse = value(reverseKl(), STUDENT, TEACHER, 'reverseKl');
    expect(both).toBeCloseTo(1.5 * (forward + reverse), 5);
  });

  it('emphasises reverse KL where the student is less certain than the teacher, forward KL otherwise', () => {
    const T = 1;
    const options = { temperature: T, emphasisWeight: 5, baseWeight: 1 };
    const unsure = [[0.2, 0.1, -0.1, 0]];
    const sharp = [[4, -1, 0.5, -2]];
    const divergences = (s: number[][], t: number[][]) => {
      const pS = softmax64(s[0] as number[], T);
      const pT = softmax64(t[0] as number[], T);
      return { forward: kl64(pT, pS), reverse: kl64(pS, pT), studentLessCertain: entropy64(pS) > entropy64(pT) };
    };
    const a = divergences(unsure, sharp);
    expect(a.studentLessCertain).toBe(true);
    expect(value(bdkdLoss(options), unsure, sharp, 'bdkd')).toBeCloseTo(a.forward + 5 * a.reverse, 5);
    const b = divergences(sharp, unsure);
    expect(b.studentLessCertain).toBe(false);
    expect(value(bdkdLoss(options), sharp, unsure, 'bdkd')).toBeCloseTo(5 * b.forward + b.reverse, 5);
  });

  it('mixes the rule per sample within one batch', () => {
    const options = { temperature: 1, emphasisWeight: 4, baseWeight: 0 };
    const students = [[0.2, 0.1, -0.1, 0], [4, -1, 0.5, -2]];
    const teachers = [[4, -1, 0.5, -2], [0.2, 0.1, -0.1, 0]];
    const first = kl64(softmax64(students[0] as number[]), softmax64(teachers[0] as number[])); // reverse for sample 0
    const second = kl64(softmax64(teachers[1] as number[]), softmax64(students[1] as number[])); // forward for sample 1
    expect(value(bdkdLoss(options), students, teachers, 'bdkd')).toBeCloseTo((4 * first + 4 * second) / 2, 5);
  });

  it('treats the weights as constants: the gradient is the weighted sum of the two KL gradients', () => {
    const context = contextFrom(STUDENT, TEACHER, [0, 0, 0]);
    const gradient = studentGradient(context, (c) => bdkdLoss({ emphasisWeight: 1, baseWeight: 1 }).compute(c), 'bdkd');
    const forward = studentGradient(context, (c) => kdLoss().compute(c), 'kd');
    const reverse = studentGradient(context, (c) => reverseKl().compute(c), 'reverseKl');
    gradient.forEach((g, i) => expect(g).toBeCloseTo((forward[i] as number) + (reverse[i] as number), 5));
    release(context);
  });

  it('rejects negative weights', () => {
    expect(() => bdkdLoss({ baseWeight: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
