import * as tf from '@tensorflow/tfjs';
import type { Dataset, Teacher } from '@distillery/core';

/**
 * Teacher logits for every training sample, computed once in dataset order and looked up by the
 * batch's sample indices. For a frozen teacher on un-augmented data these are exactly what a forward
 * pass would give, at a fraction of the cost (a conv teacher's forward can cost 15x a student step).
 */
export class TeacherLogitCache {
  private constructor(private readonly logits: tf.Tensor2D) {}

  static async build(teacher: Teacher, dataset: Dataset, batchSize = 512): Promise<TeacherLogitCache> {
    const parts: tf.Tensor2D[] = [];
    for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      parts.push(tf.tidy(() => teacher.predictLogits(batch.x)));
      batch.x.dispose();
      batch.y.dispose();
      batch.index.dispose();
      // Let the event loop breathe between teacher batches (progress bars, signals).
      await tf.nextFrame();
    }
    const logits = tf.concat(parts, 0);
    for (const part of parts) part.dispose();
    return new TeacherLogitCache(logits);
  }

  /** logits for the given sample indices; the caller owns the result */
  lookup(indices: tf.Tensor1D): tf.Tensor2D {
    return tf.gather(this.logits, indices);
  }

  dispose(): void {
    this.logits.dispose();
  }
}
