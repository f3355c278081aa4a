import type * as tf from '@tensorflow/tfjs';
import type { TeacherAccess } from './models.js';
import type { LossTerms, ModelOutputs } from './outputs.js';

/** Where the run is: losses with schedules (CTKD's curriculum, Continuation-KD) read `fraction`. */
export interface TrainingProgress {
  readonly epoch: number;
  /** global optimisation step, from 0 */
  readonly step: number;
  /** steps done / total steps, in [0, 1] */
  readonly fraction: number;
}

/** Everything a loss may read for one step. Teacher outputs are constants (computed outside the tape). */
export interface StepContext {
  readonly student: ModelOutputs;
  readonly teacher?: ModelOutputs;
  /** int32 [batch] */
  readonly labels: tf.Tensor1D;
  /** int32 [batch] sample indices */
  readonly indices: tf.Tensor1D;
  readonly numClasses: number;
  readonly progress: TrainingProgress;
}

/** What a loss needs, declared so misuse fails before training starts. */
export interface LossRequirements {
  /** 'none': the loss ignores the teacher (CE, label smoothing); 'any': logits or log-probs; 'white-box': features too */
  readonly teacher: 'none' | 'any' | 'white-box';
  readonly studentFeatures?: readonly string[];
  readonly teacherFeatures?: readonly string[];
  readonly minClasses?: number;
  /** the loss keys state by sample index (CRD's memory bank) */
  readonly sampleIndices?: boolean;
}

/** Shapes and facts known before training; `prepare` validates against them and builds owned variables. */
export interface LossSetup {
  readonly numClasses: number;
  readonly datasetSize: number;
  readonly teacherAccess?: TeacherAccess;
  /** per-sample feature shapes (no batch dimension) */
  readonly studentFeatureShapes: Readonly<Record<string, readonly number[]>>;
  readonly teacherFeatureShapes: Readonly<Record<string, readonly number[]>>;
  readonly seed: number;
}

/**
 * A knowledge loss: a pure function of the step context returning named scalar terms.
 * It may own variables (a FitNets regressor, a learnable temperature); the scheme optimises them with
 * the student and the trainer checkpoints them.
 */
export interface KnowledgeLoss {
  readonly name: string;
  readonly requires: LossRequirements;
  /** validate shapes and create owned variables; called once before training */
  prepare?(setup: LossSetup): void;
  /** named terms; called inside the scheme's gradient closure */
  compute(context: StepContext): LossTerms;
  /** owned trainable variables, by unique name */
  variables?(): Record<string, tf.Variable>;
  /**
   * non-trainable state (memory banks, running statistics, estimated margins), by unique name: checkpointed
   * with the scheme but never handed to an optimiser
   */
  state?(): Record<string, tf.Variable>;
  /** state updates outside the gradient (memory banks); receives the same context */
  afterStep?(context: StepContext): void;
  dispose?(): void;
}

/** A loss with its weight in the scheme's objective. */
export interface WeightedLoss {
  readonly loss: KnowledgeLoss;
  readonly weight: number;
}
