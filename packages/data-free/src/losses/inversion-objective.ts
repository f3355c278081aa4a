import * as tf from '@tensorflow/tfjs';
import type { ModelOutputs } from '@distillery/core';
import { batchNormStatisticLoss, type BatchNormStatistic } from './batch-norm-statistics.js';
import { imageL2, totalVariationL1, totalVariationL2 } from './image-priors.js';

export interface InversionWeights {
  /** cross-entropy to the target classes (the code's main_loss_multiplier) */
  readonly classification: number;
  /** sum over batch norms of the statistic loss (r_feature) */
  readonly batchNorm: number;
  /** extra factor on the first batch norm (first_bn_multiplier; 10 in the ImageNet script, 1 in CIFAR's) */
  readonly firstBatchNormScale: number;
  readonly tvL2: number;
  readonly tvL1: number;
  readonly l2: number;
}

/**
 * DeepInversion's objective for inputs x (already jittered) and the teacher's outputs on them:
 *   ce + batchNorm x sum_l s_l r_l + tvL2 x TV_2(x) + tvL1 x TV_1(x) + l2 x mean ||x_i||
 * Returns every term and `inversion`, the weighted sum. Image priors need rank-4 images; for other inputs
 * only l2 applies (the scheme refuses TV weights for them).
 */
export function inversionObjective(
  outputs: ModelOutputs,
  x: tf.Tensor,
  targets: tf.Tensor1D,
  statistics: readonly BatchNormStatistic[],
  weights: InversionWeights,
): Record<string, tf.Scalar> {
  const classes = outputs.logits.shape[1];
  const ce = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(targets, classes), outputs.logits) as tf.Scalar);
  const terms: Record<string, tf.Scalar> = { ce };
  let total = tf.mul(ce, weights.classification) as tf.Scalar;
  if (statistics.length > 0 && weights.batchNorm > 0) {
    const parts = statistics.map((s, i) => {
      const r = batchNormStatisticLoss(outputs.features[s.feature] as tf.Tensor, s.mean, s.variance);
      return i === 0 && weights.firstBatchNormScale !== 1 ? tf.mul(r, weights.firstBatchNormScale) : r;
    });
    terms['batchNorm'] = tf.addN(parts) as tf.Scalar;
    total = tf.add(total, tf.mul(terms['batchNorm'], weights.batchNorm)) as tf.Scalar;
  }
  if (x.rank === 4 && weights.tvL2 > 0) {
    terms['tvL2'] = totalVariationL2(x as tf.Tensor4D);
    total = tf.add(total, tf.mul(terms['tvL2'], weights.tvL2)) as tf.Scalar;
  }
  if (x.rank === 4 && weights.tvL1 > 0) {
    terms['tvL1'] = totalVariationL1(x as tf.Tensor4D);
    total = tf.add(total, tf.mul(terms['tvL1'], weights.tvL1)) as tf.Scalar;
  }
  if (weights.l2 > 0) {
    terms['l2'] = imageL2(x);
    total = tf.add(total, tf.mul(terms['l2'], weights.l2)) as tf.Scalar;
  }
  terms['inversion'] = total;
  return terms;
}

/**
 * Circular shift of images [b, h, w, c] by (dy, dx) pixels, `torch.roll(x, (dy, dx), dims=(2, 3))` in NCHW:
 * DeepInversion's random jitter, which keeps the inputs from over-fitting to one alignment.
 */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const shift = (t: tf.Tensor4D, by: number, axis: 1 | 2, size: number): tf.Tensor4D => {
      const k = ((by % size) + size) % size;
      if (k === 0) return t;
      const begin = [0, 0, 0, 0];
      const headSize = [...t.shape] as [number, number, number, number];
      headSize[axis] = size - k;
      const tailBegin = [0, 0, 0, 0];
      tailBegin[axis] = size - k;
      const tailSize = [...t.shape] as [number, number, number, number];
      tailSize[axis] = k;
      return tf.concat([tf.slice(t, tailBegin, tailSize), tf.slice(t, begin, headSize)], axis);
    };
    return shift(shift(x, dy, 1, h), dx, 2, w);
  });
}
