import * as tf from '@tensorflow/tfjs';
import { deriveSeed, lossRandom } from '../feature/random.js';

/**
 * Contrast indices [B, K + 1]: column 0 the batch's own sample indices (the positives), then K negatives
 * drawn uniformly with replacement from [0, N) - ContrastMemory's own sampler (AliasMethod over uniform
 * unigrams with idx[:, 0] = y). RepDistiller's CIFAR loader instead draws negatives from other classes;
 * here the loss sees no dataset labels beyond the batch, so it keeps the uniform sampler (a negative can
 * occasionally be the positive itself, as there).
 * The draw is a pure function of (seed, step): a repeated compute for the same step (a gradient check,
 * a resumed run) sees the same negatives.
 */
export function sampleContrastIndices(indices: tf.Tensor1D, negatives: number, datasetSize: number, seed: number, step: number): tf.Tensor2D {
  const batch = indices.shape[0];
  const random = lossRandom(deriveSeed(seed, `crd/negatives/${step}`));
  const drawn = new Int32Array(batch * negatives);
  for (let i = 0; i < drawn.length; i++) drawn[i] = random.int(datasetSize);
  return tf.tidy(() => tf.concat([tf.expandDims(tf.cast(indices, 'int32'), 1), tf.tensor2d(drawn, [batch, negatives], 'int32')], 1) as tf.Tensor2D);
}
