import { tidyOutputs, disposeOutputs, type Batch, type Dataset, type ModelOutputs, type Teacher } from '@distillery/core';
import { TeacherLogitCache } from '@distillery/offline';

/**
 * Runs the frozen teachers for a batch, outside any gradient tape. Teachers used only for their
 * responses may have their logits cached by sample index (reused on un-augmented batches); feature
 * teachers always run live, since features are not cached.
 */
export class TeacherBank {
  private readonly caches = new Map<number, TeacherLogitCache>();

  constructor(private readonly teachers: readonly Teacher[]) {}

  /** builds logit caches for the given teacher indices (call once, from the scheme's prepare) */
  async cache(indices: readonly number[], train: Dataset): Promise<void> {
    this.dispose();
    for (const index of indices) this.caches.set(index, await TeacherLogitCache.build(this.teachers[index] as Teacher, train));
  }

  /** outputs of the requested teachers for this batch; the caller disposes them with `disposeAll` */
  outputs(batch: Batch, indices: readonly number[]): Map<number, ModelOutputs> {
    const result = new Map<number, ModelOutputs>();
    try {
      for (const index of indices) {
        const cache = this.caches.get(index);
        const teacher = this.teachers[index] as Teacher;
        result.set(index, cache && !batch.augmented ? { logits: cache.lookup(batch.index), features: {} } : tidyOutputs(() => teacher.forward(batch.x)));
      }
    } catch (error) {
      TeacherBank.disposeAll(result);
      throw error;
    }
    return result;
  }

  static disposeAll(outputs: ReadonlyMap<number, ModelOutputs>): void {
    for (const value of outputs.values()) disposeOutputs(value);
  }

  dispose(): void {
    for (const cache of this.caches.values()) cache.dispose();
    this.caches.clear();
  }
}
