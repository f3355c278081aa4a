import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { KnowledgeLoss, LossSetup, StepContext } from '@distillery/core';

/** Nested number arrays as they come out of the golden JSON. */
export type Nested = number | Nested[];

export const golden = JSON.parse(readFileSync(new URL('../fixtures/golden_feature.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export interface ContextSpec {
  readonly student?: Readonly<Record<string, Nested | tf.Tensor>>;
  readonly teacher?: Readonly<Record<string, Nested | tf.Tensor>>;
  readonly indices?: readonly number[];
  readonly step?: number;
  readonly classes?: number;
}

const asTensor = (value: Nested | tf.Tensor): tf.Tensor => (value instanceof tf.Tensor ? value : tf.tensor(value as number[]));

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

export function releaseContext(context: StepContext): void {
  const tensors = [
    context.student.logits,
    ...Object.values(context.student.features),
    ...(context.teacher ? [context.teacher.logits, ...Object.values(context.teacher.features)] : []),
    context.labels,
    context.indices,
  ];
  for (const t of new Set(tensors)) if (!t.isDisposed) t.dispose();
}

/** The setup matching a context's feature shapes. */
export function setupOf(context: StepContext, options: { datasetSize?: number; seed?: number; teacherAccess?: 'white-box' | 'black-box' } = {}): LossSetup {
  const shapes = (features: Readonly<Record<string, tf.Tensor>>) => Object.fromEntries(Object.entries(features).map(([k, v]) => [k, v.shape.slice(1)]));
  return {
    numClasses: context.numClasses,
    datasetSize: options.datasetSize ?? 100,
    teacherAccess: options.teacherAccess ?? 'white-box',
    studentFeatureShapes: shapes(context.student.features),
    teacherFeatureShapes: shapes(context.teacher?.features ?? {}),
    seed: options.seed ?? 0,
  };
}

/** The value of one term (read once). */
export function termOf(loss: KnowledgeLoss, context: StepContext, term: string): number {
  return tf.tidy(() => {
    const value = loss.compute(context)[term];
    if (!value) throw new Error(`loss "${loss.name}" returned no term "${term}"`);
    return value.dataSync()[0] as number;
  });
}

export function assign(variable: tf.Variable | undefined, values: Nested): void {
  if (!variable) throw new Error('no such variable');
  tf.tidy(() => variable.assign(tf.tensor(values as number[], variable.shape)));
}

/** float32 against a float64 reference: |a - e| <= tolerance * max(1, |e|). */
export function expectClose(actual: number, expected: number, label = '', tolerance = 1e-5): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], label = '', tolerance = 1e-5): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i] as number, expected[i] as number, `${label}[${i}]`, tolerance);
}

/** The code of the DistilleryError `fn` throws ('nothing thrown' otherwise). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : `non-Distillery error: ${String(error)}`;
  }
  return 'nothing thrown';
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
