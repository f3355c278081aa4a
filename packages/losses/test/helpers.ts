import * as tf from '@tensorflow/tfjs';
import type { StepContext } from '@distillery/core';

/** A step context from plain arrays; release it with `release`. */
export function contextFrom(student: number[][], teacher: number[][] | undefined, labels: number[]): StepContext {
  const classes = (student[0] as number[]).length;
  return {
    student: { logits: tf.tensor2d(student), features: {} },
    ...(teacher ? { teacher: { logits: tf.tensor2d(teacher), features: {} } } : {}),
    labels: tf.tensor1d(labels, 'int32'),
    indices: tf.tensor1d(labels.map((_, i) => i), 'int32'),
    numClasses: classes,
    progress: { epoch: 0, step: 0, fraction: 0 },
  };
}

export function release(context: StepContext): void {
  tf.dispose([context.student.logits, context.labels, context.indices, ...(context.teacher ? [context.teacher.logits] : [])]);
}

/** The value of one term, read once outside any hot loop. */
export function termValue(terms: () => Record<string, tf.Scalar>, term: string): number {
  return tf.tidy(() => (terms()[term] as tf.Scalar).dataSync()[0] as number);
}

/** Gradient of one term w.r.t. the student logits, as a flat array. */
export function studentGradient(context: StepContext, terms: (c: StepContext) => Record<string, tf.Scalar>, term: string): number[] {
  return tf.tidy(() => {
    const g = tf.grad((z: tf.Tensor) => terms({ ...context, student: { ...context.student, logits: z as tf.Tensor2D } })[term] as tf.Scalar);
    return Array.from(g(context.student.logits).dataSync());
  });
}

/** float64 softmax(z / T) of one row */
export function softmax64(row: readonly number[], temperature = 1): number[] {
  const scaled = row.map((z) => z / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export const STUDENT = [
  [1.5, -0.3, 0.2, 2.1],
  [-1.0, 0.4, 3.0, 0.0],
  [0.3, 0.3, -2.2, 1.1],
];
export const TEACHER = [
  [2.5, -1.3, 0.0, 1.1],
  [0.0, 1.4, 2.0, -1.0],
  [-0.7, 2.3, -1.2, 0.1],
];
export const LABELS = [3, 2, 1];
