import type * as tf from '@tensorflow/tfjs';

/**
 * One mini-batch. `index` holds each sample's position in its dataset, so losses with memory banks
 * (CRD) and teacher-output caches can key by sample. The trainer disposes the batch after the step.
 */
export interface Batch {
  readonly x: tf.Tensor;
  /** int32 class ids, shape [batch] */
  readonly y: tf.Tensor1D;
  /** int32 sample indices into the dataset, shape [batch] */
  readonly index: tf.Tensor1D;
  readonly size: number;
  /** true when x was randomly transformed (jitter, noise): cached teacher outputs are then invalid */
  readonly augmented: boolean;
}

export interface BatchOptions {
  readonly batchSize: number;
  readonly shuffle: boolean;
  /** shuffling is a pure function of (seed, epoch): a resumed run sees the same order */
  readonly seed: number;
  readonly epoch: number;
  /** drop a last partial batch (useful when a loss needs full batches) */
  readonly dropRemainder?: boolean;
}

/** A labelled dataset that yields batches; implementations live in @distillery/data. */
export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** shape of one sample, without the batch dimension */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  batches(options: BatchOptions): Iterable<Batch>;
}
