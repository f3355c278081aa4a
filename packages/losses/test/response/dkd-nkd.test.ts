import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import type { LossSetup, StepContext } from '@distillery/core';
import { makeStepContext } from '@distillery/testkit';
import { checkLossRequirements, dkdLoss, DKD_DEFAULTS, kdLoss, nkdLoss, plugin } from '../../src/index.js';
import { contextFrom, LABELS, release, softmax64, STUDENT, studentGradient, TEACHER, termValue } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const setup = (numClasses: number): LossSetup => ({ numClasses, datasetSize: 10, teacherAccess: 'white-box', studentFeatureShapes: {}, teacherFeatureShapes: {}, seed: 0 });

function withFraction(context: StepContext, fraction: number): StepContext {
  return { ...context, progress: { ...context.progress, fraction } };
}

describe('dkd', () => {
  it("defaults to mdistiller's CIFAR-100 setting and needs 3 classes", () => {
    expect(DKD_DEFAULTS).toEqual({ alpha: 1, beta: 8, temperature: 4, warmupFraction: 20 / 240 });
    expect(dkdLoss().options).toEqual(DKD_DEFAULTS);
    expect(dkdLoss().requires).toEqual({ teacher: 'any', minClasses: 3 });
  });

  it('fails before training with 2 classes: prepare and checkLossRequirements throw CONFIG_INVALID', () => {
    const loss = new Registry().register(plugin).loss('dkd').create({});
    expect(() => loss.prepare?.(setup(2))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => checkLossRequirements(loss, setup(2))).toThrow(/at least 3 classes/);
    expect(() => loss.prepare?.(setup(3))).not.toThrow();
  });

  it('decomposes KD per sample: TCKD + (1 - p_t^T) NCKD = KD at the same T (alpha = beta = 1, no warm-up)', () => {
    const T = 2;
    STUDENT.forEach((row, i) => {
      const context = contextFrom([row], [TEACHER[i] as number[]], [LABELS[i] as number]);
      const terms = tf.tidy(() => {
        const t = dkdLoss({ alpha: 1, beta: 1, temperature: T, warmupFraction: 0 }).compute(context);
        return { tckd: t.tckd?.dataSync()[0] as number, nckd: t.nckd?.dataSync()[0] as number };
      });
      const teacherTarget = softmax64(TEACHER[i] as number[], T)[LABELS[i] as number] as number;
      const kd = termValue(() => kdLoss({ temperature: T }).compute(context), 'kd');
      expect(terms.tckd + (1 - teacherTarget) * terms.nckd).toBeCloseTo(kd, 5);
      release(context);
    });
  });

  it("ramps both terms linearly over the warm-up (mdistiller's min(epoch / warmup, 1))", () => {
    const base = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = dkdLoss({ warmupFraction: 0.2 });
    const at = (fraction: number) => termValue(() => loss.compute(withFraction(base, fraction)), 'nckd');
    const full = at(0.5);
    expect(full).toBeGreaterThan(0.01);
    expect(at(0)).toBe(0);
    expect(at(0.1)).toBeCloseTo(full / 2, 5);
    expect(at(0.2)).toBeCloseTo(full, 6);
    expect(at(1)).toBeCloseTo(full, 6);
    expect(termValue(() => dkdLoss({ warmupFraction: 0 }).compute(withFraction(base, 0)), 'nckd')).toBeCloseTo(full, 6);
    release(base);
  });

  it('scales TCKD by alpha and NCKD by beta', () => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const terms = (alpha: number, beta: number) =>
      tf.tidy(() => {
        const t = dkdLoss({ alpha, beta, warmupFraction: 0 }).compute(context);
        return [t.tckd?.dataSync()[0] as number, t.nckd?.dataSync()[0] as number];
      });
    const [t1, n1] = terms(1, 1);
    const [t2, n2] = terms(0.5, 3);
    expect(t2).toBeCloseTo(0.5 * (t1 as number), 6);
    expect(n2).toBeCloseTo(3 * (n1 as number), 5);
    release(context);
  });

  it('stays finite with a black-box teacher reporting probability 0 (log p = -Infinity) for a class', () => {
    const teacher = [[Math.log(0.7), Math.log(0.3), -Infinity, Math.log(1e-30)]];
    const context = contextFrom([[0.5, 0.1, -0.2, 0.3]], teacher, [0]);
    const [tckd, nckd] = tf.tidy(() => {
      const t = dkdLoss({ warmupFraction: 0 }).compute(context);
      return [t.tckd?.dataSync()[0] as number, t.nckd?.dataSync()[0] as number];
    });
    expect(Number.isFinite(tckd)).toBe(true);
    expect(Number.isFinite(nckd)).toBe(true);
    const gradient = studentGradient(context, (c) => dkdLoss({ warmupFraction: 0 }).compute(c), 'nckd');
    expect(gradient.every(Number.isFinite)).toBe(true);
    release(context);
  });

  it('rejects out-of-domain options', () => {
    const invalid = expect.objectContaining({ code: 'CONFIG_INVALID' });
    expect(() => dkdLoss({ beta: -1 })).toThrow(invalid);
    expect(() => dkdLoss({ warmupFraction: 1.5 })).toThrow(invalid);
    expect(() => dkdLoss({ temperature: 0 })).toThrow(invalid);
  });
});

describe('nkd', () => {
  it('defaults to T = 1, gamma = 1.5', () => {
    expect(nkdLoss().options).toEqual({ temperature: 1, gamma: 1.5 });
    expect(nkdLoss().requires).toEqual({ teacher: 'any', minClasses: 2 });
  });

  it('target term is -mean(t_y log s_y), non-target term -gamma T^2 mean sum t^ log s^ (float64)', () => {
    const [T, gamma] = [2, 1.5];
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const terms = tf.tidy(() => {
      const t = nkdLoss({ temperature: T, gamma }).compute(context);
      return { target: t.nkdTarget?.dataSync()[0] as number, nonTarget: t.nkdNonTarget?.dataSync()[0] as number };
    });
    let target = 0;
    let nonTarget = 0;
    STUDENT.forEach((row, i) => {
      const y = LABELS[i] as number;
      const teacherRow = TEACHER[i] as number[];
      target -= (softmax64(teacherRow)[y] as number) * Math.log(softmax64(row)[y] as number);
      const rest = (r: number[]) => softmax64(r.filter((_, c) => c !== y), T);
      const tHat = rest(teacherRow);
      const sHat = rest(row);
      nonTarget -= gamma * T * T * tHat.reduce((s, p, c) => s + p * Math.log(sHat[c] as number), 0);
    });
    expect(terms.target).toBeCloseTo(target / STUDENT.length, 6);
    expect(terms.nonTarget).toBeCloseTo(nonTarget / STUDENT.length, 5);
    release(context);
  });

  it("non-target term for identical logits is gamma T^2 x the teacher's non-target entropy (a CE, not a KL)", () => {
    const T = 1;
    const context = contextFrom(STUDENT, STUDENT, LABELS);
    const nonTarget = termValue(() => nkdLoss({ temperature: T, gamma: 1 }).compute(context), 'nkdNonTarget');
    const entropy = STUDENT.reduce((s, row, i) => {
      const p = softmax64(row.filter((_, c) => c !== LABELS[i]));
      return s - p.reduce((a, pc) => a + pc * Math.log(pc), 0);
    }, 0);
    expect(nonTarget).toBeCloseTo(entropy / STUDENT.length, 5);
    release(context);
  });

  it('target-term gradient is t_y (s - onehot) / B', () => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const gradient = studentGradient(context, (c) => nkdLoss().compute(c), 'nkdTarget');
    const expected = STUDENT.flatMap((row, i) => {
      const ty = softmax64(TEACHER[i] as number[])[LABELS[i] as number] as number;
      return softmax64(row).map((p, c) => (ty * (p - (c === LABELS[i] ? 1 : 0))) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it('has a zero non-target term with 2 classes (a single non-target class)', () => {
    const { context } = makeStepContext({ batch: 3, classes: 2, seed: 3 });
    expect(termValue(() => nkdLoss({ temperature: 3 }).compute(context), 'nkdNonTarget')).toBeCloseTo(0, 6);
    tf.dispose([context.student.logits, context.teacher?.logits, context.labels, context.indices]);
  });
});
