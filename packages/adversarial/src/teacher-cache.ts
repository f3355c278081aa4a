import * as tf from '@tensorflow/tfjs';
import type { Dataset, Teacher } from '@distillery/core';

/**
 * A frozen teacher's logits for every training sample, computed once in dataset order and looked up
 * by sample index (as @distillery/offline does): on un-augmented data a forward pass would give exactly
 * these, and a conv teacher's forward can cost far more than the student's step.
 */
export class TeacherLogitCache {
  private constructor(private readonly logits: tf.Tensor2D) {}

  static async build(teacher: Teacher, dataset: Dataset, batchSize = 512): Promise<TeacherLogitCache> {
    const parts: tf.Tensor2D[] = [];
    for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      parts.push(tf.tidy(() => teacher.predictLogits(batch.x)));
      tf.dispose([batch.x, batch.y, batch.index]);
      // let the event loop breathe between teacher batches (progress output, signals)
      await tf.nextFrame();
    }
    const logits = tf.concat(parts, 0);
    tf.dispose(parts);
    return new TeacherLogitCache(logits);
  }

  /** logits of the given samples; the caller owns the result */
  lookup(indices: tf.Tensor1D): tf.Tensor2D {
    return tf.gather(this.logits, indices);
  }

  dispose(): void {
    this.logits.dispose();
  }
}
