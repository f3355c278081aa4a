import * as tf from '@tensorflow/tfjs';
import { channelMoments, marginFromMoments } from './overhaul-margin.js';

/**
 * The margins of one tap pair and the running teacher statistics they come from. Non-trainable
 * variables, so the numbers live on the backend and nothing is read back: which margin applies is
 * decided in-graph from `seen` (batches accumulated so far), which also makes the state resumable.
 */
export class MarginState {
  readonly margin: tf.Variable;
  readonly mean: tf.Variable;
  readonly m2: tf.Variable;
  readonly count: tf.Variable;

  constructor(channels: number, explicit: Float32Array | undefined) {
    this.margin = tf.tidy(() => tf.variable(explicit ? tf.tensor1d(explicit) : tf.zeros([channels]), false));
    this.mean = tf.tidy(() => tf.variable(tf.zeros([channels]), false));
    this.m2 = tf.tidy(() => tf.variable(tf.zeros([channels]), false));
    this.count = tf.tidy(() => tf.variable(tf.scalar(0), false));
  }

  /**
   * The margin for this step: the stored one once a batch has been accumulated, else the estimate
   * from this batch alone (so the very first step already has a margin). Call on constants only.
   */
  current(teacher: tf.Tensor, seen: tf.Variable): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = channelMoments(teacher);
      const fromBatch = marginFromMoments(mean, variance);
      const stored = tf.cast(tf.greater(seen, 0), 'float32');
      return tf.add(tf.mul(stored, this.margin), tf.mul(tf.sub(1, stored), fromBatch));
    });
  }

  /**
   * Folds one teacher batch into the running per-channel mean and M2 (Chan et al.'s pairwise update,
   * stable in float32) when `take` is 1, and refreshes the margin; with `take` 0 nothing changes.
   */
  accumulate(teacher: tf.Tensor, take: tf.Scalar): void {
    tf.tidy(() => {
      const { mean: batchMean, variance: batchVariance } = channelMoments(teacher);
      const batchCount = teacher.size / (teacher.shape[teacher.rank - 1] as number);
      const added = tf.mul(take, batchCount);
      const total = tf.add(this.count, added);
      const safeTotal = tf.maximum(total, 1);
      const delta = tf.sub(batchMean, this.mean);
      const mean = tf.add(this.mean, tf.mul(delta, tf.div(added, safeTotal)));
      const m2 = tf.add(this.m2, tf.mul(take, tf.add(tf.mul(batchVariance, batchCount), tf.div(tf.mul(tf.square(delta), tf.mul(this.count, batchCount)), safeTotal))));
      const margin = marginFromMoments(mean, tf.div(m2, safeTotal));
      this.margin.assign(tf.add(tf.mul(take, margin), tf.mul(tf.sub(1, take), this.margin)));
      this.mean.assign(mean);
      this.m2.assign(m2);
      this.count.assign(total);
    });
  }

  variables(prefix: string): Record<string, tf.Variable> {
    return { [`${prefix}/margin`]: this.margin, [`${prefix}/mean`]: this.mean, [`${prefix}/m2`]: this.m2, [`${prefix}/count`]: this.count };
  }

  dispose(): void {
    tf.dispose([this.margin, this.mean, this.m2, this.count]);
  }
}
