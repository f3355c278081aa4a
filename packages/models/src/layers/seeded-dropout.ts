import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { deriveSeed } from '../seeds.js';

export interface SeededDropoutArgs {
  /** fraction of units dropped during training, in [0, 1) */
  readonly rate: number;
  /** base seed; the mask of the n-th training call is drawn from deriveSeed(seed, n) */
  readonly seed: number;
  readonly name?: string;
}

/**
 * Inverted dropout whose masks are reproducible yet differ from call to call.
 *
 * `tf.layers.dropout({ seed })` re-seeds tfjs's generator identically on every call, so it drops the
 * same units on every step; without a seed it is not reproducible. This layer counts its training
 * calls and draws the n-th mask from `deriveSeed(seed, n)`. The counter is a non-trainable weight
 * (`<layer>/calls`), so it is saved with the model and restored by checkpoints: a resumed run draws
 * the masks the uninterrupted run would have drawn. It is float32 so every checkpoint writer handles
 * it; counts stay exact up to 2^24 (~16.7M) training calls.
 *
 * Reading the counter back from the variable costs one tiny download, done only when someone other
 * than this layer wrote the variable (a checkpoint restore, `setWeights`) - never on the hot path.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls: tf.LayerVariable | undefined;
  private count = 0;
  /** tensor storage we last wrote to the counter; a different one means an outside write */
  private lastWritten: object | undefined;

  constructor(args: SeededDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new ConfigError(`dropout rate ${args.rate} is outside [0, 1)`, 'use a rate such as 0.5 for hidden layers or 0.2 for inputs');
    }
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override build(): void {
    this.calls = this.addWeight('calls', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new RangeError('SeededDropout expects one input tensor');
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const n = this.nextCallIndex();
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, deriveSeed(this.seed, n)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }

  /** index of this training call (0, 1, 2, ...), advancing the stored counter */
  private nextCallIndex(): number {
    const calls = this.calls;
    if (calls === undefined) throw new Error('SeededDropout used before it was built');
    const current = calls.read();
    if (current.dataId !== this.lastWritten) {
      // Written from outside (first use, checkpoint restore, setWeights): adopt the stored count.
      this.count = (current.dataSync()[0] ?? 0);
    }
    const n = this.count;
    this.count = n + 1;
    tf.tidy(() => {
      calls.write(tf.scalar(this.count));
    });
    this.lastWritten = calls.read().dataId;
    return n;
  }
}
