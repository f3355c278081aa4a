import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchOptions, Dataset } from '@distillery/core';
import { normalArray, seededPermutation } from './random.js';

export interface TinyDatasetOptions {
  readonly size?: number;
  readonly features?: number;
  readonly classes?: number;
  readonly seed?: number;
  /** spread of each class around its centre; smaller is easier */
  readonly noise?: number;
  readonly name?: string;
}

export interface TinyDataset extends Dataset {
  /** the samples, row-major [size, features], for assertions */
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/**
 * Gaussian blobs, one per class, held in plain arrays: an in-memory Dataset for plugin tests that
 * must not depend on @distillery/data. Shuffling is a pure function of (seed, epoch), as the contract asks.
 */
export function tinyDataset(options: TinyDatasetOptions = {}): TinyDataset {
  const size = options.size ?? 96;
  const features = options.features ?? 4;
  const classes = options.classes ?? 3;
  const seed = options.seed ?? 0;
  const noise = options.noise ?? 0.6;
  const centres = normalArray(classes * features, seed + 11, 2);
  const jitter = normalArray(size * features, seed + 12, noise);
  const x = new Float32Array(size * features);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % classes;
    y[i] = label;
    for (let f = 0; f < features; f++) {
      x[i * features + f] = (centres[label * features + f] as number) + (jitter[i * features + f] as number);
    }
  }

  function* batches(batchOptions: BatchOptions): Iterable<Batch> {
    const order = batchOptions.shuffle
      ? seededPermutation(size, batchOptions.seed * 1_000_003 + batchOptions.epoch)
      : Array.from({ length: size }, (_, i) => i);
    for (let start = 0; start < size; start += batchOptions.batchSize) {
      const picked = order.slice(start, start + batchOptions.batchSize);
      if (batchOptions.dropRemainder && picked.length < batchOptions.batchSize) return;
      const xs = new Float32Array(picked.length * features);
      picked.forEach((sample, row) => xs.set(x.subarray(sample * features, (sample + 1) * features), row * features));
      yield {
        x: tf.tensor2d(xs, [picked.length, features]),
        y: tf.tensor1d(picked.map((sample) => y[sample] as number), 'int32'),
        index: tf.tensor1d(picked, 'int32'),
        size: picked.length,
        augmented: false,
      };
    }
  }

  return { name: options.name ?? 'tiny-blobs', size, inputShape: [features], numClasses: classes, x, y, batches };
}

export function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  batch.y.dispose();
  batch.index.dispose();
}
