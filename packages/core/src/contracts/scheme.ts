import type * as tf from '@tensorflow/tfjs';
import type { Batch, Dataset } from './data.js';
import type { TrainingProgress } from './loss.js';
import type { Classifier } from './models.js';
import type { LossTerms } from './outputs.js';

/** Facts the trainer hands a scheme before the first step. */
export interface SchemeContext {
  readonly numClasses: number;
  readonly inputShape: readonly number[];
  readonly datasetSize: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly seed: number;
  /** the training data, for schemes that precompute over it (teacher-output caches) */
  readonly train: Dataset;
}

/**
 * Everything a checkpoint must round-trip: every model's and loss's variables and every optimiser
 * (a GAN loop has two or three), each under a stable unique name.
 */
export interface Trackables {
  readonly variables: Readonly<Record<string, tf.Variable>>;
  readonly optimizers: Readonly<Record<string, tf.Optimizer>>;
}

/**
 * A scheme says who learns, from whom, in what order, with which losses. `step` applies its own
 * updates (one or several optimisers) and returns the named loss terms, one of them `total`.
 */
export interface Scheme {
  readonly name: string;
  /** validate models, losses and data against each other and build variables/optimisers; throws typed errors */
  prepare(context: SchemeContext, sample: Batch): void | Promise<void>;
  step(batch: Batch, progress: TrainingProgress): LossTerms;
  onEpochStart?(epoch: number): void | Promise<void>;
  onEpochEnd?(epoch: number): void | Promise<void>;
  /** the models this scheme produces, evaluated each epoch and saved; the first is the primary one */
  evaluationModels(): Readonly<Record<string, Classifier>>;
  /** a model whose predictions the evaluator compares against ("agreement with the teacher") */
  referenceModel?(): Classifier | undefined;
  trackables(): Trackables;
  dispose(): void;
}
