import * as tf from '@tensorflow/tfjs';
import type { LossSetup, ModelOutputs, StepContext, TeacherAccess, TrainingProgress } from '@distillery/core';
import { normalArray, seededRandom } from './random.js';

/** Seeded random logits [batch, classes], N(0, scale^2), identical on every backend. */
export function randomLogits(batch: number, classes: number, seed: number, scale = 1): tf.Tensor2D {
  return tf.tensor2d(normalArray(batch * classes, seed, scale), [batch, classes]);
}

/** Seeded random features [batch, ...shape]. */
export function randomFeature(batch: number, shape: readonly number[], seed: number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(normalArray(batch * size, seed, scale), [batch, ...shape]);
}

export interface StepContextOptions {
  readonly batch?: number;
  readonly classes?: number;
  readonly seed?: number;
  /** standard deviation of the random logits */
  readonly logitScale?: number;
  /** 'none' leaves `teacher` undefined; 'black-box' gives log-probabilities and no features */
  readonly teacher?: TeacherAccess | 'none';
  /** per-sample shapes of the student's feature taps */
  readonly studentFeatures?: Readonly<Record<string, readonly number[]>>;
  /** per-sample shapes of the teacher's feature taps (ignored for a black-box teacher) */
  readonly teacherFeatures?: Readonly<Record<string, readonly number[]>>;
  readonly datasetSize?: number;
  readonly progress?: Partial<TrainingProgress>;
}

export interface SyntheticStep {
  readonly context: StepContext;
  readonly setup: LossSetup;
}

function randomFeatures(batch: number, shapes: Readonly<Record<string, readonly number[]>>, seed: number): Record<string, tf.Tensor> {
  const features: Record<string, tf.Tensor> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    features[name] = randomFeature(batch, shape, seed + 101 * (i + 1));
  });
  return features;
}

/**
 * A random but reproducible step context and the matching loss setup, for loss tests.
 * Tensors belong to the caller: release them with `disposeStepContext`.
 */
export function makeStepContext(options: StepContextOptions = {}): SyntheticStep {
  const batch = options.batch ?? 4;
  const classes = options.classes ?? 5;
  const seed = options.seed ?? 0;
  const scale = options.logitScale ?? 2;
  const access = options.teacher ?? 'white-box';
  const datasetSize = options.datasetSize ?? batch * 4;
  const studentShapes = options.studentFeatures ?? {};
  const teacherShapes = access === 'white-box' ? (options.teacherFeatures ?? {}) : {};
  const random = seededRandom(seed + 7);

  const student: ModelOutputs = { logits: randomLogits(batch, classes, seed + 1, scale), features: randomFeatures(batch, studentShapes, seed + 2) };
  let teacher: ModelOutputs | undefined;
  if (access !== 'none') {
    const raw = randomLogits(batch, classes, seed + 3, scale);
    // A black-box teacher reports log-probabilities as its logits (core's Teacher contract).
    const logits = access === 'black-box' ? tf.tidy(() => tf.logSoftmax(raw) as tf.Tensor2D) : raw;
    if (logits !== raw) raw.dispose();
    teacher = { logits, features: randomFeatures(batch, teacherShapes, seed + 4) };
  }
  const labels = tf.tensor1d(Array.from({ length: batch }, () => random.int(classes)), 'int32');
  const indices = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 3 + seed) % Math.max(datasetSize, 1)), 'int32');
  const steps = 100;
  const step = options.progress?.step ?? 10;
  const progress: TrainingProgress = {
    epoch: options.progress?.epoch ?? 0,
    step,
    fraction: options.progress?.fraction ?? step / steps,
  };
  const context: StepContext = { student, labels, indices, numClasses: classes, progress, ...(teacher ? { teacher } : {}) };
  const setup: LossSetup = {
    numClasses: classes,
    datasetSize,
    ...(access !== 'none' ? { teacherAccess: access } : {}),
    studentFeatureShapes: studentShapes,
    teacherFeatureShapes: teacherShapes,
    seed,
  };
  return { context, setup };
}

/** Every tensor a step context holds (each once, even when shared). */
export function stepContextTensors(context: StepContext): tf.Tensor[] {
  const all = [
    context.student.logits,
    ...Object.values(context.student.features),
    ...(context.teacher ? [context.teacher.logits, ...Object.values(context.teacher.features)] : []),
    context.labels,
    context.indices,
  ];
  return [...new Set(all)];
}

export function disposeStepContext(context: StepContext): void {
  for (const tensor of stepContextTensors(context)) if (!tensor.isDisposed) tensor.dispose();
}

/** The same context with the student's outputs replaced (finite-difference probes, gradient closures). */
export function withStudentOutputs(context: StepContext, student: ModelOutputs): StepContext {
  return { ...context, student };
}
