import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, StepContext } from '@distillery/core';
import type { SyntheticStep } from '@distillery/testkit';
import { normalArray } from '@distillery/testkit';
import { asTensor, setupOf, type Nested } from '../context-helpers.js';

export { assign, codeOf, releaseContext, setupOf, termOf, type Nested } from '../context-helpers.js';

export const golden = JSON.parse(readFileSync(new URL('../fixtures/golden_text.json', import.meta.url), 'utf8')) as Record<string, unknown> & {
  lengths: number[];
  mask: number[][];
};

type FeatureValue = Nested | tf.Tensor;

export interface TextContextSpec {
  readonly student?: Readonly<Record<string, FeatureValue>>;
  readonly teacher?: Readonly<Record<string, FeatureValue>> | null;
  readonly studentLogits?: Nested;
  readonly teacherLogits?: Nested;
  readonly labels?: readonly number[];
  readonly classes?: number;
  readonly batch?: number;
}

/** A step context from hand-made features (logits zeros unless given); release it with releaseContext. */
export function contextOf(spec: TextContextSpec): StepContext {
  const student = Object.fromEntries(Object.entries(spec.student ?? {}).map(([k, v]) => [k, asTensor(v)]));
  const teacher = spec.teacher === null ? undefined : Object.fromEntries(Object.entries(spec.teacher ?? {}).map(([k, v]) => [k, asTensor(v)]));
  const batch = spec.batch ?? (Object.values(student)[0] ?? Object.values(teacher ?? {})[0])?.shape[0] ?? 1;
  const classes = spec.classes ?? 3;
  const logits = (value: Nested | undefined) => (value === undefined ? (tf.zeros([batch, classes]) as tf.Tensor2D) : tf.tensor2d(value as number[][]));
  return {
    student: { logits: logits(spec.studentLogits), features: student },
    ...(teacher ? { teacher: { logits: logits(spec.teacherLogits), features: teacher } } : {}),
    labels: tf.tensor1d(spec.labels ? [...spec.labels] : new Array(batch).fill(0), 'int32'),
    indices: tf.tensor1d(Array.from({ length: batch }, (_, i) => i), 'int32'),
    numClasses: classes,
    progress: { epoch: 0, step: 0, fraction: 0 },
  };
}

/** A [batch, length] 0/1 mask with right padding: sample b has lengths[b] real tokens. */
export function maskOf(lengths: readonly number[], length: number): number[][] {
  return lengths.map((n) => Array.from({ length }, (_, i) => (i < n ? 1 : 0)));
}

export function randomTensor(shape: readonly number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(normalArray(shape.reduce((a, b) => a * b, 1), seed, scale), [...shape]);
}

/**
 * A step with random features of the given per-sample shapes, a right-padded mask (lengths cycle
 * through `lengths`), and int32 tokens when asked for: what conformance suites need.
 */
export function textStep(options: {
  student: Readonly<Record<string, readonly number[]>>;
  teacher?: Readonly<Record<string, readonly number[]>>;
  batch?: number;
  length: number;
  classes?: number;
  seed?: number;
  tokens?: number;
  scale?: number;
}): SyntheticStep {
  const batch = options.batch ?? 3;
  const seed = options.seed ?? 1;
  const lengths = Array.from({ length: batch }, (_, b) => Math.max(1, options.length - (b % 3)));
  const features = (shapes: Readonly<Record<string, readonly number[]>>, offset: number) =>
    Object.fromEntries(Object.entries(shapes).map(([name, shape], i) => [name, randomTensor([batch, ...shape], seed + offset + 31 * i, options.scale ?? 1)]));
  const student: Record<string, tf.Tensor> = { ...features(options.student, 100), mask: tf.tensor2d(maskOf(lengths, options.length)) };
  if (options.tokens !== undefined) {
    const vocab = options.tokens;
    student.tokens = tf.tensor2d(lengths.map((n, b) => Array.from({ length: options.length }, (_, i) => (i < n ? 1 + ((b * 7 + i * 3 + seed) % (vocab - 1)) : 0))), undefined, 'int32');
  }
  const context = contextOf({
    student,
    teacher: options.teacher ? features(options.teacher, 500) : null,
    classes: options.classes ?? 3,
    batch,
    labels: Array.from({ length: batch }, (_, b) => 1 + ((b * 5 + seed) % Math.max(1, (options.classes ?? 3) - 1))),
  });
  return { context, setup: setupOf(context, { seed }) };
}

/**
 * The same loss declaring only the listed student features: finite differences then probe those (the
 * mask and the token ids are data, held constant, and have no meaningful gradient).
 */
export function probing(loss: KnowledgeLoss, features: readonly string[]): KnowledgeLoss {
  return {
    name: loss.name,
    requires: { ...loss.requires, studentFeatures: features },
    compute: (context) => loss.compute(context),
    variables: () => loss.variables?.() ?? {},
  };
}

/**
 * Replaces the values at padded positions of a batch-major tensor by `value`. `positionAxes` are the
 * per-sample axes that index sequence positions: [0] for [B, L, D], [1] for values [B, H, L, d],
 * [1, 2] for attention [B, H, L, L] (padded query rows and key columns).
 */
export function fillPadded(x: tf.Tensor, mask: readonly number[][], value: number, positionAxes: readonly number[] = [0]): tf.Tensor {
  const data = x.arraySync() as Nested[];
  const visit = (node: Nested, row: readonly number[], path: number[]): Nested => {
    if (typeof node === 'number') return positionAxes.some((axis) => row[path[axis] as number] === 0) ? value : node;
    return node.map((child, i) => visit(child, row, [...path, i]));
  };
  return tf.tensor(data.map((sample, b) => visit(sample, mask[b] as number[], [])) as number[], x.shape, x.dtype);
}
