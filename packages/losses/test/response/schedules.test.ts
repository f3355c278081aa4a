import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeStepContext, disposeStepContext } from '@distillery/testkit';
import type { KnowledgeLoss } from '@distillery/core';
import {
  clampFraction,
  constantSchedule,
  cosineSchedule,
  ctkdLoss,
  kdLoss,
  linearSchedule,
  rampSchedule,
  scheduled,
  stepSchedule,
  steppedRamp,
} from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const invalid = expect.objectContaining({ code: 'CONFIG_INVALID' });

describe('schedules over the fraction of training', () => {
  it('linear: from at 0, midpoint at 0.5, to at 1', () => {
    const s = linearSchedule({ from: 10, to: 4 });
    expect([s(0), s(0.5), s(1)]).toEqual([10, 7, 4]);
  });

  it('cosine: from at 0, the arithmetic midpoint at 0.5, to at 1, flat at both ends', () => {
    const s = cosineSchedule({ from: 0, to: 2 });
    expect(s(0)).toBe(0);
    expect(s(0.5)).toBeCloseTo(1, 12);
    expect(s(1)).toBeCloseTo(2, 12);
    // (1 - cos(pi t)) / 2 has zero slope at t = 0 and t = 1
    expect(s(0.01) - s(0)).toBeLessThan(0.001);
    expect(s(0.25)).toBeCloseTo(1 - Math.SQRT1_2, 12);
  });

  it('step: explicit values and boundaries', () => {
    const s = stepSchedule({ values: [10, 6, 4], boundaries: [0.3, 0.6] });
    expect([s(0), s(0.29), s(0.3), s(0.5), s(0.6), s(1)]).toEqual([10, 10, 6, 6, 4, 4]);
  });

  it('stepped ramp: equal plateaus from `from` to `to`', () => {
    const s = steppedRamp({ from: 10, to: 4, stages: 4 });
    expect([s(0), s(0.24), s(0.25), s(0.5), s(0.75), s(1)]).toEqual([10, 10, 8, 6, 4, 4]);
    const single = steppedRamp({ from: 1, to: 3, stages: 1 });
    expect([single(0), single(0.99), single(1)]).toEqual([1, 1, 3]);
  });

  it('holds the end values outside the window and clamps fractions', () => {
    const s = linearSchedule({ from: 0, to: 1, start: 0.2, end: 0.6 });
    expect([s(0), s(0.2), s(0.4), s(0.6), s(1)].map((v) => Number(v.toFixed(12)))).toEqual([0, 0, 0.5, 1, 1]);
    expect([s(-1), s(2), s(Number.NaN)]).toEqual([0, 1, 0]);
    expect(clampFraction(1.5)).toBe(1);
  });

  it('treats a zero-length window as a jump: end 0 means "already at `to`"', () => {
    expect(linearSchedule({ from: 0, to: 1, end: 0 })(0)).toBe(1);
    expect(cosineSchedule({ from: 0, to: 1, start: 0.5, end: 0.5 })(0.49)).toBe(0);
  });

  it('picks a ramp by name, and a constant stays constant', () => {
    expect(rampSchedule('linear', { from: 2, to: 4 })(0.5)).toBe(3);
    expect(rampSchedule('cosine', { from: 2, to: 4 })(0.5)).toBeCloseTo(3, 12);
    expect(rampSchedule('step', { from: 10, to: 4 })(0.5)).toBe(6);
    expect(constantSchedule(0.3)(0.7)).toBe(0.3);
  });

  it('rejects bad windows, endpoints and step tables with ConfigError', () => {
    expect(() => linearSchedule({ from: 0, to: 1, start: 0.6, end: 0.2 })).toThrow(invalid);
    expect(() => linearSchedule({ from: 0, to: 1, end: 1.5 })).toThrow(invalid);
    expect(() => cosineSchedule({ from: Number.NaN, to: 1 })).toThrow(invalid);
    expect(() => stepSchedule({ values: [1, 2], boundaries: [0.5, 0.7] })).toThrow(invalid);
    expect(() => stepSchedule({ values: [1, 2, 3], boundaries: [0.7, 0.5] })).toThrow(invalid);
    expect(() => steppedRamp({ from: 1, to: 2, stages: 0 })).toThrow(invalid);
  });
});

describe('scheduled(loss, { weight })', () => {
  function value(loss: KnowledgeLoss, fraction: number): number {
    const { context, setup } = makeStepContext({ batch: 3, classes: 4, seed: 11, progress: { fraction } });
    try {
      loss.prepare?.(setup);
      return tf.tidy(() => (loss.compute(context).kd as tf.Scalar).dataSync()[0] as number);
    } finally {
      disposeStepContext(context);
    }
  }

  it('scales every term by the schedule at the step\'s fraction and keeps name and requirements', () => {
    const plain = kdLoss();
    const ramped = scheduled(kdLoss(), { weight: linearSchedule({ from: 0, to: 1, end: 0.5 }) });
    expect(ramped.name).toBe('kd');
    expect(ramped.requires).toEqual(plain.requires);
    const full = value(plain, 0.2);
    expect(value(ramped, 0)).toBe(0);
    expect(value(ramped, 0.25)).toBeCloseTo(full / 2, 5);
    expect(value(ramped, 0.9)).toBeCloseTo(full, 5);
    expect(value(scheduled(kdLoss(), {}), 0.3)).toBeCloseTo(full, 6);
  });

  it('passes variables and dispose through to the wrapped loss', () => {
    const inner = ctkdLoss();
    const wrapped = scheduled(inner, { weight: constantSchedule(2) });
    const { context, setup } = makeStepContext({ batch: 2, classes: 3, seed: 5 });
    const before = tf.memory().numTensors;
    wrapped.prepare?.(setup);
    expect(Object.keys(wrapped.variables?.() ?? {})).toEqual(['temperatureLogit']);
    expect(wrapped.variables?.()).toEqual(inner.variables?.());
    const [doubled, single] = tf.tidy(() => [wrapped.compute(context).ctkd?.dataSync()[0], inner.compute(context).ctkd?.dataSync()[0]]);
    expect(doubled).toBeCloseTo(2 * (single as number), 5);
    wrapped.dispose?.();
    expect(inner.variables?.()).toEqual({});
    expect(tf.memory().numTensors).toBe(before);
    disposeStepContext(context);
  });
});
