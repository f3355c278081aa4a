import * as tf from '@tensorflow/tfjs';
import { ConfigError, MissingFeatureError } from '@distillery/core';
import type { LossSetup, StepContext } from '@distillery/core';
import { stopGradient } from '../stop-gradient.js';

export type FeatureSide = 'student' | 'teacher';

function describe(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A feature tap of one step, checked without reading data: the tap exists (MissingFeatureError, as
 * in prepare) and, when `expected` is given, its per-sample shape is the one prepare validated.
 * Teacher features pass through a stop-gradient, so they stay constants even when a scheme computes
 * them on the tape (online distillation).
 */
export function readFeature(context: StepContext, side: FeatureSide, name: string, loss: string, expected?: readonly number[]): tf.Tensor {
  let features: Readonly<Record<string, tf.Tensor>>;
  if (side === 'teacher') {
    if (!context.teacher) {
      throw new ConfigError(`loss "${loss}" needs teacher features but the step has no teacher outputs`, 'use it in a scheme that runs a white-box teacher (e.g. "offline")');
    }
    features = context.teacher.features;
  } else {
    features = context.student.features;
  }
  const tensor = features[name];
  if (!tensor) throw new MissingFeatureError(`the ${side} (needed by loss "${loss}")`, name, Object.keys(features));
  if (expected && !sameShape(tensor.shape.slice(1), expected)) {
    throw new ConfigError(
      `loss "${loss}": ${side} feature "${name}" has per-sample shape ${describe(tensor.shape.slice(1))} but prepare saw ${describe(expected)}`,
      'prepare the loss with the feature shapes the models actually produce',
    );
  }
  return side === 'teacher' ? stopGradient(tensor) : tensor;
}

/** Student and teacher features of one pair must come from the same batch. */
export function requireSameBatch(loss: string, student: tf.Tensor, teacher: tf.Tensor): number {
  const [sb, tb] = [student.shape[0] as number, teacher.shape[0] as number];
  if (sb !== tb) throw new ConfigError(`loss "${loss}": student batch ${sb} differs from teacher batch ${tb}`, 'run the teacher on the same batch as the student');
  return sb;
}

/** The per-sample shape of a tap from the setup (checkLossRequirements has confirmed it exists). */
export function setupShape(setup: LossSetup, side: FeatureSide, name: string): readonly number[] {
  const shapes = side === 'student' ? setup.studentFeatureShapes : setup.teacherFeatureShapes;
  const shape = shapes[name];
  if (!shape) throw new MissingFeatureError(`the ${side}`, name, Object.keys(shapes));
  return shape;
}

/** Throws a ConfigError unless the tap's per-sample rank is one of `ranks`. */
export function requireRank(loss: string, side: FeatureSide, name: string, shape: readonly number[], ranks: readonly number[], hint: string): void {
  if (!ranks.includes(shape.length)) {
    const wanted = ranks.map((r) => (r === 1 ? 'a vector [C]' : r === 3 ? 'an NHWC map [H, W, C]' : `rank ${r}`)).join(' or ');
    throw new ConfigError(`${loss}: ${side} feature "${name}" has per-sample shape ${describe(shape)}, expected ${wanted}`, hint);
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function shapeText(shape: readonly number[]): string {
  return describe(shape);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
