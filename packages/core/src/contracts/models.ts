import type * as tf from '@tensorflow/tfjs';
import type { ModelOutputs } from './outputs.js';

export interface ForwardOptions {
  /** enables dropout / batch-norm statistics updates */
  readonly training: boolean;
}

/** Anything that maps inputs to class logits: what the evaluator needs. */
export interface Classifier {
  readonly name: string;
  readonly numClasses: number;
  /** per-sample input shape, without the batch dimension */
  readonly inputShape: readonly number[];
  /** logits [batch, classes] in inference mode; a black-box teacher returns log-probabilities */
  predictLogits(x: tf.Tensor): tf.Tensor2D;
}

/**
 * A trainable model (a student, a peer, an assistant, a discriminator, a generator's classifier half).
 * Schemes own optimisers and decide which models' variables they update.
 */
export interface TrainableModel extends Classifier {
  readonly featureNames: readonly string[];
  forward(x: tf.Tensor, options: ForwardOptions): ModelOutputs;
  /** variables gradients flow into */
  trainableVariables(): tf.Variable[];
  /** every variable that defines the model, incl. non-trainable state (batch-norm moving statistics), by unique name */
  stateVariables(): Record<string, tf.Variable>;
  /** parameter count of the trainable variables */
  countParams(): number;
  /**
   * Re-applies weight constraints (max-norm). tfjs enforces layer constraints only when weights are set,
   * never after an optimiser update, so schemes call this after every update of the model.
   */
  applyConstraints?(): void;
  dispose(): void;
}

/** The student is simply a trainable model; the alias keeps scheme signatures readable. */
export type Student = TrainableModel;

export type TeacherAccess = 'white-box' | 'black-box';

/**
 * A teacher produces outputs for a batch. White-box teachers expose logits and features; black-box
 * teachers expose probabilities only, reported as `logits = log(p)` (softmax(log p / T) is p^(1/T)
 * renormalised, so temperature-scaled response losses stay meaningful) and no features.
 * Teachers are frozen: schemes never pass their variables to an optimiser unless they train them.
 */
export interface Teacher extends Classifier {
  readonly access: TeacherAccess;
  readonly featureNames: readonly string[];
  /** inference-mode outputs; call outside any gradient closure */
  forward(x: tf.Tensor): ModelOutputs;
}
