import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossSetup, StepContext } from '@distillery/core';

/** Helpers the feature and text loss tests share (hand-built contexts, their setups, term values). */

/** Nested number arrays as they come out of the golden JSON. */
export type Nested = number | Nested[];

export const asTensor = (value: Nested | tf.Tensor): tf.Tensor => (value instanceof tf.Tensor ? value : tf.tensor(value as number[]));

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
