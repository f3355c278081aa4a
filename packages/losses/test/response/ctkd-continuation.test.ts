import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossSetup, StepContext } from '@distillery/core';
import { continuationKd, CONTINUATION_KD_DEFAULTS, ctkdLoss, CTKD_DEFAULTS, gradientReversal, kdLoss, softenedKl } from '../../src/index.js';
import type { CtkdLoss } from '../../src/index.js';
import { contextFrom, LABELS, release, softmax64, STUDENT, studentGradient, TEACHER, termValue } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const setup: LossSetup = { numClasses: 4, datasetSize: 10, teacherAccess: 'white-box', studentFeatureShapes: {}, teacherFeatureShapes: {}, seed: 0 };
const at = (context: StepContext, fraction: number): StepContext => ({ ...context, progress: { ...context.progress, fraction } });
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function theta(loss: CtkdLoss): tf.Variable {
  const variable = loss.variables?.().temperatureLogit;
  if (!variable) throw new Error('ctkd has no temperature variable');
  return variable;
}

/** d ctkd / d theta as the scheme sees it (through the gradient reversal) */
function reversedGradient(loss: CtkdLoss, context: StepContext): number {
  return tf.tidy(() => {
    const v = theta(loss);
    const { grads } = tf.variableGrads(() => loss.compute(context).ctkd as tf.Scalar, [v]);
    return (grads[v.name] as tf.Tensor).dataSync()[0] as number;
  });
}

/** d/d theta of plain KD at T(theta) = 1 + 20 sigmoid(theta), no reversal, by autodiff */
function plainGradient(context: StepContext, thetaValue: number): number {
  return tf.tidy(() => {
    const g = tf.grad((t: tf.Tensor) =>
      softenedKl(context.student.logits, context.teacher?.logits as tf.Tensor2D, tf.add(1, tf.mul(20, tf.sigmoid(t))) as tf.Scalar, {
        direction: 'forward',
        reduction: 'batchmean',
        scaleByT2: true,
      }),
    );
    return g(tf.scalar(thetaValue)).dataSync()[0] as number;
  });
}

describe('gradientReversal', () => {
  it('is the identity forward and multiplies the gradient by -lambda', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = gradientReversal(x, 0.5);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(gradientReversal(t, 0.5))))(x);
    expect(Array.from(g.dataSync())).toEqual([-1, 2, -3]);
    tf.dispose([x, y, g]);
  });
});

describe('ctkd', () => {
  it("defaults to the official code's range [1, 21], start theta = 1 and lambda up to 1", () => {
    expect(CTKD_DEFAULTS).toMatchObject({ lambdaMax: 1, rampFraction: 1, minTemperature: 1, temperatureRange: 20, reduction: 'batchmean' });
    expect(CTKD_DEFAULTS.initialTemperature).toBeCloseTo(1 + 20 * sigmoid(1), 12);
  });

  it('owns one scalar variable from prepare to dispose, and refuses to compute before prepare', () => {
    const loss = ctkdLoss({ initialTemperature: 4 });
    expect(loss.variables?.()).toEqual({});
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    expect(() => loss.compute(context)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const before = tf.memory().numTensors;
    loss.prepare?.(setup);
    loss.prepare?.(setup); // a second prepare replaces, not leaks, the variable
    expect(theta(loss).shape).toEqual([]);
    expect(theta(loss).trainable).toBe(true);
    expect(loss.temperature()).toBeCloseTo(4, 5);
    loss.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
    release(context);
  });

  it('follows the cosine curriculum: lambda 0 at the start, lambdaMax / 2 halfway, lambdaMax at the end', () => {
    const loss = ctkdLoss({ lambdaMax: 2 });
    expect([loss.lambda(0), loss.lambda(0.5), loss.lambda(1)].map((v) => Number(v.toFixed(12)))).toEqual([0, 1, 2]);
    const fast = ctkdLoss({ rampFraction: 0.5 });
    expect([fast.lambda(0.25), fast.lambda(0.5), fast.lambda(0.9)].map((v) => Number(v.toFixed(12)))).toEqual([0.5, 1, 1]);
  });

  it('reverses the temperature gradient: d/d theta = -lambda x the plain KD gradient (autodiff and finite differences)', () => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = ctkdLoss({ initialTemperature: 3 });
    loss.prepare?.(setup);
    const thetaValue = theta(loss).dataSync()[0] as number;
    const plain = plainGradient(context, thetaValue);
    expect(Math.abs(plain)).toBeGreaterThan(1e-3);
    // finite differences of the forward value, which the reversal does not change
    const h = 1e-2;
    const valueAt = (t: number) => {
      theta(loss).assign(tf.scalar(t));
      return termValue(() => loss.compute(context), 'ctkd');
    };
    const numeric = (valueAt(thetaValue + h) - valueAt(thetaValue - h)) / (2 * h);
    theta(loss).assign(tf.scalar(thetaValue));
    expect(numeric).toBeCloseTo(plain, 3);
    for (const [fraction, lambda] of [[0, 0], [0.5, 0.5], [1, 1]] as const) {
      const reversed = reversedGradient(loss, at(context, fraction));
      expect(reversed, `fraction ${fraction}`).toBeCloseTo(-lambda * plain, 5);
    }
    expect(Math.sign(reversedGradient(loss, at(context, 1)))).toBe(-Math.sign(plain));
    loss.dispose?.();
    release(context);
  });

  it('a gradient step on theta increases the distillation loss (the adversarial direction)', () => {
    const context = at(contextFrom(STUDENT, TEACHER, LABELS), 1);
    const loss = ctkdLoss({ initialTemperature: 3 });
    loss.prepare?.(setup);
    const optimizer = tf.train.sgd(0.5);
    const before = termValue(() => loss.compute(context), 'ctkd');
    optimizer.minimize(() => loss.compute(context).ctkd as tf.Scalar, false, [theta(loss)]);
    expect(termValue(() => loss.compute(context), 'ctkd')).toBeGreaterThan(before);
    optimizer.dispose();
    loss.dispose?.();
    release(context);
  });

  it('keeps the temperature inside (minTemperature, minTemperature + range) for any theta', () => {
    const loss = ctkdLoss();
    loss.prepare?.(setup);
    for (const t of [-40, 0, 40]) {
      theta(loss).assign(tf.scalar(t));
      const temperature = loss.temperature();
      expect(temperature).toBeGreaterThanOrEqual(1);
      expect(temperature).toBeLessThanOrEqual(21);
    }
    loss.dispose?.();
  });

  it('equals kd at the current temperature, with the student gradient T (p_S - p_T) / B', () => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = ctkdLoss({ initialTemperature: 2.5 });
    loss.prepare?.(setup);
    expect(termValue(() => loss.compute(context), 'ctkd')).toBeCloseTo(termValue(() => kdLoss({ temperature: 2.5 }).compute(context), 'kd'), 5);
    const gradient = studentGradient(context, (c) => loss.compute(c), 'ctkd');
    const expected = STUDENT.flatMap((row, i) => {
      const pT = softmax64(TEACHER[i] as number[], 2.5);
      return softmax64(row, 2.5).map((p, c) => (2.5 * (p - (pT[c] as number))) / STUDENT.length);
    });
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 5));
    loss.dispose?.();
    release(context);
  });

  it('rejects an initial temperature outside the open range and a bad ramp', () => {
    const invalid = expect.objectContaining({ code: 'CONFIG_INVALID' });
    expect(() => ctkdLoss({ initialTemperature: 1 })).toThrow(invalid);
    expect(() => ctkdLoss({ initialTemperature: 22 })).toThrow(/outside \(1, 21\)/);
    expect(() => ctkdLoss({ rampFraction: 2 })).toThrow(invalid);
  });
});

describe('continuation-kd', () => {
  it('defaults to T 10 -> 4 along a cosine over all of training, weight 1', () => {
    expect(continuationKd().options).toEqual(CONTINUATION_KD_DEFAULTS);
    const loss = continuationKd();
    expect(loss.at(0)).toEqual({ temperature: 10, weight: 1 });
    expect(loss.at(0.5).temperature).toBeCloseTo(7, 12);
    expect(loss.at(1).temperature).toBeCloseTo(4, 12);
  });

  it.each(['linear', 'cosine', 'step'] as const)('%s schedule: start values at 0, end values at 1 and held after rampFraction', (schedule) => {
    const loss = continuationKd({ schedule, startTemperature: 8, endTemperature: 2, startWeight: 0.25, endWeight: 1, rampFraction: 0.5 });
    expect(loss.at(0)).toEqual({ temperature: 8, weight: 0.25 });
    expect(loss.at(0.5).temperature).toBeCloseTo(2, 12);
    expect(loss.at(0.75)).toEqual(loss.at(1));
    expect(loss.at(1).weight).toBeCloseTo(1, 12);
  });

  it('equals weight x kd at the scheduled temperature at fractions 0, 0.5 and 1', () => {
    const base = contextFrom(STUDENT, TEACHER, LABELS);
    const loss = continuationKd({ startWeight: 0.5 });
    for (const fraction of [0, 0.5, 1]) {
      const { temperature, weight } = loss.at(fraction);
      const kd = termValue(() => kdLoss({ temperature }).compute(base), 'kd');
      expect(termValue(() => loss.compute(at(base, fraction)), 'continuationKd')).toBeCloseTo(weight * kd, 5);
    }
    release(base);
  });

  it('starts from a smoother objective: at high T, T^2 KD tends to the quadratic logit match 1/(2K) sum (d - mean d)^2', () => {
    const context = contextFrom(STUDENT, TEACHER, LABELS);
    const high = termValue(() => continuationKd({ startTemperature: 500 }).compute(at(context, 0)), 'continuationKd');
    const quadratic =
      STUDENT.reduce((s, row, i) => {
        const d = row.map((z, c) => z - ((TEACHER[i] as number[])[c] as number));
        const mean = d.reduce((a, b) => a + b, 0) / d.length;
        return s + d.reduce((a, v) => a + (v - mean) ** 2, 0) / (2 * d.length);
      }, 0) / STUDENT.length;
    expect(Math.abs(high - quadratic) / quadratic).toBeLessThan(2e-2);
    release(context);
  });

  it('rejects bad schedules and stage counts', () => {
    const invalid = expect.objectContaining({ code: 'CONFIG_INVALID' });
    expect(() => continuationKd({ schedule: 'exponential' as never })).toThrow(invalid);
    expect(() => continuationKd({ stages: 0 })).toThrow(invalid);
    expect(() => continuationKd({ startTemperature: -1 })).toThrow(invalid);
  });
});
