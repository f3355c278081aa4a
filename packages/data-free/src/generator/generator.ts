import type * as tf from '@tensorflow/tfjs';
import type { ForwardOptions } from '@distillery/core';

/**
 * A model that maps latent codes z [batch, latentDim] to inputs of a classifier [batch, ...outputShape].
 * Data-free schemes train it with their own optimiser; it is never evaluated as a classifier.
 */
export interface Generator {
  readonly name: string;
  readonly latentDim: number;
  /** per-sample output shape, without the batch dimension; must equal the teacher's input shape */
  readonly outputShape: readonly number[];
  /** `training: true` uses batch statistics in batch-norm layers (and updates their moving averages) */
  generate(z: tf.Tensor2D, options: ForwardOptions): tf.Tensor;
  /** variables the generator's optimiser updates */
  trainableVariables(): tf.Variable[];
  /** every variable that defines the generator (incl. batch-norm moving statistics), by stable name */
  stateVariables(): Record<string, tf.Variable>;
  countParams(): number;
  dispose(): void;
}
