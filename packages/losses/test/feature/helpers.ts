import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { StepContext } from '@distillery/core';
import { asTensor, type Nested } from '../context-helpers.js';

export { assign, codeOf, releaseContext, setupOf, termOf, type Nested } from '../context-helpers.js';

export const golden = JSON.parse(readFileSync(new URL('../fixtures/golden_feature.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export interface ContextSpec {
  readonly student?: Readonly<Record<string, Nested | tf.Tensor>>;
  readonly teacher?: Readonly<Record<string, Nested | tf.Tensor>>;
  readonly indices?: readonly number[];
  readonly step?: number;
  readonly classes?: number;
}

/** A step context with the given features (logits are zeros); release it with `releaseContext`. */
export function contextOf(spec: ContextSpec): StepContext {
  const student = Object.fromEntries(Object.entries(spec.student ?? {}).map(([k, v]) => [k, asTensor(v)]));
  const teacher = Object.fromEntries(Object.entries(spec.teacher ?? {}).map(([k, v]) => [k, asTensor(v)]));
  const batch = (Object.values(student)[0] ?? Object.values(teacher)[0])?.shape[0] ?? 1;
  const classes = spec.classes ?? 3;
  return {
    student: { logits: tf.zeros([batch, classes]) as tf.Tensor2D, features: student },
    teacher: { logits: tf.zeros([batch, classes]) as tf.Tensor2D, features: teacher },
    labels: tf.zeros([batch], 'int32') as tf.Tensor1D,
    indices: tf.tensor1d(spec.indices ? [...spec.indices] : Array.from({ length: batch }, (_, i) => i), 'int32'),
    numClasses: classes,
    progress: { epoch: 0, step: spec.step ?? 0, fraction: 0 },
  };
}

/** float32 against a float64 reference: |a - e| <= tolerance * max(1, |e|). */
export function expectClose(actual: number, expected: number, label = '', tolerance = 1e-5): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], label = '', tolerance = 1e-5): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i] as number, expected[i] as number, `${label}[${i}]`, tolerance);
}

/** Seeded values shaped like `shape`, for hand-built contexts. */
export function seededValues(shape: readonly number[], seed: number, scale = 1): tf.Tensor {
  let state = seed >>> 0;
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = ((state / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(values, [...shape]);
}
