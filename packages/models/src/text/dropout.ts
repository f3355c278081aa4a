import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../seeds.js';
import type { ParameterStore } from './parameters.js';

/** Applies dropout at a named site of one forward pass; the identity in inference mode. */
export type Dropout = (x: tf.Tensor, site: string) => tf.Tensor;

export const NO_DROPOUT: Dropout = (x) => x;

/**
 * Reproducible dropout for a hand-built model, as SeededDropout does for tf.layers: the n-th training
 * forward draws the mask of each site from deriveSeed(seed, "n/site"), so masks differ between steps
 * and sites yet a run is repeatable. The count lives in the non-trainable weight `dropout/calls`, so
 * checkpoints and saved models carry it and a resumed run continues the mask sequence. The count is read
 * back from the variable (one scalar download) only when someone else wrote it (first use, restore).
 */
export class DropoutSchedule {
  private readonly calls: tf.Variable;
  private count = 0;
  private lastWritten: object | undefined;

  constructor(
    parameters: ParameterStore,
    private readonly rate: number,
    private readonly seed: number,
  ) {
    // float32 like SeededDropout's counter, so every checkpoint writer handles it (exact to 2^24 calls)
    this.calls = parameters.state('dropout/calls', [], { kind: 'zeros' });
  }

  /** the dropout function for one forward pass; advances the call count when training */
  begin(training: boolean): Dropout {
    if (!training || this.rate === 0) return NO_DROPOUT;
    const n = this.nextCall();
    const rate = this.rate;
    const base = this.seed;
    return (x, site) => tf.dropout(x, rate, undefined, deriveSeed(base, `${n}/${site}`));
  }

  private nextCall(): number {
    if (this.calls.dataId !== this.lastWritten) this.count = this.calls.dataSync()[0] ?? 0;
    const n = this.count;
    this.count = n + 1;
    tf.tidy(() => {
      this.calls.assign(tf.scalar(this.count));
    });
    this.lastWritten = this.calls.dataId;
    return n;
  }
}
