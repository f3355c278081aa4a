import * as tf from '@tensorflow/tfjs';
import { safeNorm } from './image-priors.js';

/** One batch-norm layer of a teacher: the feature tap that carries its input, and its moving statistics. */
export interface BatchNormStatistic {
  /** teacher feature tap whose tensor is the batch norm's input ([batch, ..., channels]) */
  readonly feature: string;
  /** moving mean and variance [channels]; read at every step, so they may be the live variables */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * DeepInversion's feature-distribution regulariser for one batch norm (`DeepInversionFeatureHook`):
 *   r = ||var_batch - running_var||_2 + ||mean_batch - running_mean||_2
 * with per-channel batch mean and biased variance over every axis but the last (channels-last).
 */
export function batchNormStatisticLoss(input: tf.Tensor, mean: tf.Tensor1D, variance: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const axes = Array.from({ length: input.rank - 1 }, (_, i) => i);
    const moments = tf.moments(input, axes);
    return tf.add(safeNorm(tf.sub(moments.variance, variance)), safeNorm(tf.sub(moments.mean, mean))) as tf.Scalar;
  });
}
