import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  InputShapeError,
  MissingFeatureError,
  TeacherAccessError,
  assertClassCounts,
  assertInputShape,
  featureShapes,
  type SchemeContext,
  type Student,
  type Teacher,
} from '@distillery/core';
import type { Generator } from '../generator/generator.js';

/** White-box data-free methods back-propagate through the teacher; a probabilities-only teacher cannot take part. */
export function requireWhiteBox(scheme: string, teacher: Teacher): void {
  if (teacher.access === 'black-box') {
    // core's default hint names the "kd" loss, which is no data-free method: name the black-box one
    throw new TeacherAccessError(`the "${scheme}" scheme`, {
      needs: 'gradients through it to synthesise inputs',
      hint: 'with a black-box teacher use "few-shot-mixup" (a few real images mixed up and labelled by the teacher\'s probabilities), or give a white-box teacher',
    });
  }
}

/** Teacher, student and the run agree on classes and inputs; the student sees what the teacher sees. */
export function assertPair(context: SchemeContext, teacher: Teacher, student: Student): void {
  assertClassCounts(context.numClasses, [teacher, student]);
  assertInputShape(teacher.inputShape, [student]);
  assertInputShape(context.inputShape, [teacher]);
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The generator's declared and actual output shape equal the teacher's input shape. The actual shape is
 * read from one inference-mode forward pass of two codes (no batch-norm statistics move).
 */
export function assertGeneratorFits(scheme: string, generator: Generator, teacher: Teacher): void {
  if (!same(generator.outputShape, teacher.inputShape)) {
    throw new InputShapeError(`${scheme}: generator "${generator.name}" output vs teacher "${teacher.name}" input`, teacher.inputShape, generator.outputShape);
  }
  const actual = tf.tidy(() => generator.generate(tf.zeros([2, generator.latentDim]) as tf.Tensor2D, { training: false }).shape.slice(1));
  if (!same(actual, teacher.inputShape)) {
    throw new InputShapeError(`${scheme}: generator "${generator.name}" actually produces`, teacher.inputShape, actual);
  }
}

/** Per-sample shapes of the teacher's feature taps on a probe input. */
export function teacherFeatureShapes(teacher: Teacher, probe: tf.Tensor): Record<string, number[]> {
  return featureShapes(() => teacher.forward(probe));
}

export function requireFeature(what: string, feature: string, available: Readonly<Record<string, unknown>>): void {
  if (!(feature in available)) throw new MissingFeatureError(what, feature, Object.keys(available));
}

export function notPrepared(scheme: string): ConfigError {
  return new ConfigError(`${scheme}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
}
