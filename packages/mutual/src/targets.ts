import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '@distillery/losses';
import type { Learner } from './learner.js';

/**
 * 'inference': targets are the peers' predictions without dropout and with batch-norm moving statistics;
 * the extra forward passes change no model state. 'training': targets come from a training-mode
 * forward (dropout on, batch statistics), as in the papers' PyTorch code, where every model stays in
 * train mode; such a pass advances dropout streams and batch-norm moving averages.
 */
export type TargetMode = 'inference' | 'training';
export const TARGET_MODES: readonly TargetMode[] = ['inference', 'training'];

/**
 * The learners' logits on one batch as constants, computed on demand outside any gradient closure and
 * kept until the learner is updated (`invalidate`). This gives the paper's sequential order at the
 * least cost: after peer i's update only peer i's prediction is recomputed, the others are reused.
 */
export class TargetCache {
  private readonly logits = new Map<number, tf.Tensor2D>();

  constructor(
    private readonly learners: readonly Learner[],
    private readonly x: tf.Tensor,
    private readonly mode: TargetMode,
  ) {}

  get(index: number): tf.Tensor2D {
    const cached = this.logits.get(index);
    if (cached) return cached;
    const { model } = this.learners[index] as Learner;
    // stopGradient as well: a caller that evaluates an objective under its own tape (tests, probes)
    // must still see the targets as constants.
    const logits = tf.tidy(() =>
      stopGradient(this.mode === 'inference' ? model.predictLogits(this.x) : model.forward(this.x, { training: true }).logits),
    );
    this.logits.set(index, logits);
    return logits;
  }

  /** drops a learner's cached prediction after its weights changed */
  invalidate(index: number): void {
    this.logits.get(index)?.dispose();
    this.logits.delete(index);
  }

  dispose(): void {
    for (const tensor of this.logits.values()) tensor.dispose();
    this.logits.clear();
  }
}
