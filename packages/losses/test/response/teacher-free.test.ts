import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, lsrLoss, tfKdVirtual, TF_KD_VIRTUAL_DEFAULTS, tfNkdLoss } from '../../src/index.js';
import { contextFrom, LABELS, release, softmax64, STUDENT, studentGradient, termValue } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const logSoftmax64 = (row: readonly number[]): number[] => softmax64(row).map(Math.log);

/** float64 tf-nkd with the soft labels computed from `labelsFrom` and the log-probabilities from `z` */
function tfNkd64(z: number[][], labelsFrom: number[][], alpha: number, beta: number): { target: number; nonTarget: number } {
  const sy = labelsFrom.map((row, i) => softmax64(row)[LABELS[i] as number] as number);
  const meanSq = sy.reduce((s, v) => s + v * v, 0) / sy.length;
  let target = 0;
  let nonTarget = 0;
  z.forEach((row, i) => {
    const y = LABELS[i] as number;
    target -= ((sy[i] as number) ** 2 + 1 - meanSq) * (logSoftmax64(row)[y] as number);
    const order = (labelsFrom[i] as number[]).map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]).map(([, c]) => c);
    const zipf = (labelsFrom[i] as number[]).map((_, c) => (c === y ? 0 : 1 / (order.indexOf(c) + 1)));
    const total = zipf.reduce((a, b) => a + b, 0);
    const rest = logSoftmax64(row.filter((_, c) => c !== y));
    const restZipf = zipf.filter((_, c) => c !== y);
    nonTarget -= restZipf.reduce((s, w, k) => s + (w / total) * (rest[k] as number), 0);
  });
  return { target: (alpha * target) / z.length, nonTarget: (beta * nonTarget) / z.length };
}

describe('tf-nkd', () => {
  it('uses no teacher; defaults alpha 1, beta 0.1', () => {
    expect(tfNkdLoss().requires).toEqual({ teacher: 'none', minClasses: 2 });
    expect(tfNkdLoss().options).toEqual({ alpha: 1, beta: 0.1 });
  });

  it('gives the rank-r non-target class weight 1/(r + 1), counting the target in the ranking', () => {
    // label 1 ranks 2nd (rank 1); class 3 ranks 1st, class 0 3rd, class 2 4th -> 1, 1/3, 1/4 on non-targets
    const z = [[0.5, 1.0, -1.0, 2.0]];
    const context = contextFrom(z, undefined, [1]);
    const nonTarget = termValue(() => tfNkdLoss({ alpha: 1, beta: 1 }).compute(context), 'tfNkdNonTarget');
    const weights = [1 / 3, 1 / 4, 1].map((w) => w / (1 / 3 + 1 / 4 + 1));
    const rest = logSoftmax64([0.5, -1.0, 2.0]);
    expect(nonTarget).toBeCloseTo(-weights.reduce((s, w, k) => s + w * (rest[k] as number), 0), 6);
    release(context);
  });

  it('target soft labels average to 1 over the batch: equal s_y everywhere gives plain CE', () => {
    const z = [[2, 0, 0], [0, 2, 0], [0, 0, 2]];
    const context = contextFrom(z, undefined, [0, 1, 2]);
    expect(termValue(() => tfNkdLoss().compute(context), 'tfNkdTarget')).toBeCloseTo(termValue(() => crossEntropy().compute(context), 'ce'), 6);
    release(context);
  });

  it('matches a float64 reference, and its gradient is that of the objective with the labels frozen', () => {
    const context = contextFrom(STUDENT, undefined, LABELS);
    const reference = tfNkd64(STUDENT, STUDENT, 0.7, 0.4);
    expect(termValue(() => tfNkdLoss({ alpha: 0.7, beta: 0.4 }).compute(context), 'tfNkdTarget')).toBeCloseTo(reference.target, 6);
    expect(termValue(() => tfNkdLoss({ alpha: 0.7, beta: 0.4 }).compute(context), 'tfNkdNonTarget')).toBeCloseTo(reference.nonTarget, 6);
    for (const term of ['tfNkdTarget', 'tfNkdNonTarget'] as const) {
      const analytic = studentGradient(context, (c) => tfNkdLoss({ alpha: 0.7, beta: 0.4 }).compute(c), term);
      const key = term === 'tfNkdTarget' ? 'target' : 'nonTarget';
      const h = 1e-5;
      analytic.forEach((g, index) => {
        const [i, c] = [Math.floor(index / 4), index % 4];
        const shifted = (delta: number) => STUDENT.map((row, r) => row.map((v, k) => (r === i && k === c ? v + delta : v)));
        const numeric = (tfNkd64(shifted(h), STUDENT, 0.7, 0.4)[key] - tfNkd64(shifted(-h), STUDENT, 0.7, 0.4)[key]) / (2 * h);
        expect(g, `${term}[${i},${c}]`).toBeCloseTo(numeric, 5);
      });
    }
    release(context);
  });
});

describe('lsr', () => {
  it('weighted with ce as (1 - eps) ce + eps lsr gives label-smoothed CE minus eps log K', () => {
    const context = contextFrom(STUDENT, undefined, LABELS);
    const eps = 0.2;
    const combined = (1 - eps) * termValue(() => crossEntropy().compute(context), 'ce') + eps * termValue(() => lsrLoss().compute(context), 'lsr');
    const smoothed = termValue(() => crossEntropy({ labelSmoothing: eps }).compute(context), 'ce');
    expect(combined).toBeCloseTo(smoothed - eps * Math.log(4), 6);
    release(context);
  });

  it('is KL(u || p_S) >= 0, has no options and ignores the teacher', () => {
    expect(lsrLoss().requires).toEqual({ teacher: 'none', minClasses: 2 });
    expect(() => lsrLoss({ epsilon: 0.1 } as never)).toThrow(/unknown option "epsilon"/);
    const context = contextFrom(STUDENT, undefined, LABELS);
    const expected = STUDENT.reduce((s, row) => s - logSoftmax64(row).reduce((a, l) => a + (l + Math.log(4)) / 4, 0), 0) / STUDENT.length;
    expect(termValue(() => lsrLoss().compute(context), 'lsr')).toBeCloseTo(expected, 6);
    release(context);
  });
});

describe('tf-kd-virtual', () => {
  it('defaults to a = 0.9, T = 20, the official softmax(u / T) softening, x T^2', () => {
    expect(TF_KD_VIRTUAL_DEFAULTS).toEqual({ correctProbability: 0.9, temperature: 20, softening: 'softmax', scaleByT2: true });
    expect(tfKdVirtual().requires).toEqual({ teacher: 'none', minClasses: 2 });
  });

  it("with power softening at T = 1 is KL(u || p_S), u = a on the label and (1 - a)/(K - 1) elsewhere", () => {
    const a = 0.8;
    const context = contextFrom(STUDENT, undefined, LABELS);
    const expected =
      STUDENT.reduce((s, row, i) => {
        const u = row.map((_, c) => (c === LABELS[i] ? a : (1 - a) / 3));
        const log = logSoftmax64(row);
        return s + u.reduce((acc, uc, c) => acc + uc * (Math.log(uc) - (log[c] as number)), 0);
      }, 0) / STUDENT.length;
    expect(termValue(() => tfKdVirtual({ correctProbability: a, temperature: 1, softening: 'power' }).compute(context), 'tfKd')).toBeCloseTo(expected, 6);
    release(context);
  });

  it('with a = 1/K the virtual teacher is uniform and the loss is lsr (Yuan et al.: LSR is a virtual-teacher KD)', () => {
    const context = contextFrom(STUDENT, undefined, LABELS);
    const tfKd = termValue(() => tfKdVirtual({ correctProbability: 0.25, temperature: 1, softening: 'power' }).compute(context), 'tfKd');
    expect(tfKd).toBeCloseTo(termValue(() => lsrLoss().compute(context), 'lsr'), 6);
    release(context);
  });

  it('has the closed-form gradient T (p_S - softmax(u / T)) / B at the defaults', () => {
    const [T, a] = [20, 0.9];
    const context = contextFrom(STUDENT, undefined, LABELS);
    const gradient = studentGradient(context, (c) => tfKdVirtual().compute(c), 'tfKd');
    const expected = STUDENT.flatMap((row, i) => {
      const pT = softmax64(row.map((_, c) => (c === LABELS[i] ? a : (1 - a) / 3)), T);
      return softmax64(row, T).map((p, c) => (T * (p - (pT[c] as number))) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it.each([0, 1, 1.2])('rejects correctProbability %s', (correctProbability) => {
    expect(() => tfKdVirtual({ correctProbability })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
