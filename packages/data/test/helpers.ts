import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@distillery/core';
import { InMemoryDataset } from '../src/in-memory-dataset.js';

/** A dataset whose sample i holds values i * 1000 + j, so every row names its own position. */
export function indexedDataset(size: number, inputShape: readonly number[] = [2, 3, 1], numClasses = 3): InMemoryDataset {
  const rowLength = inputShape.reduce((a, b) => a * b, 1);
  const inputs = new Float32Array(size * rowLength);
  for (let i = 0; i < size; i++) for (let j = 0; j < rowLength; j++) inputs[i * rowLength + j] = i * 1000 + j;
  const labels = Int32Array.from({ length: size }, (_, i) => i % numClasses);
  return new InMemoryDataset({ name: 'indexed', inputs, labels, inputShape, numClasses });
}

export interface BatchData {
  readonly x: Float32Array;
  readonly shape: readonly number[];
  readonly y: Int32Array;
  readonly index: Int32Array;
  readonly size: number;
  readonly augmented: boolean;
  readonly dtypes: readonly string[];
}

/** Reads a batch's tensors into arrays and disposes them. */
export function readBatch(batch: Batch): BatchData {
  const data: BatchData = {
    x: batch.x.dataSync() as Float32Array,
    shape: batch.x.shape,
    y: batch.y.dataSync() as Int32Array,
    index: batch.index.dataSync() as Int32Array,
    size: batch.size,
    augmented: batch.augmented,
    dtypes: [batch.x.dtype, batch.y.dtype, batch.index.dtype],
  };
  tf.dispose([batch.x, batch.y, batch.index]);
  return data;
}

export function collect(batches: Iterable<Batch>): BatchData[] {
  return Array.from(batches, readBatch);
}

/** The order in which an epoch visits samples. */
export function epochOrder(batches: Iterable<Batch>): number[] {
  return collect(batches).flatMap((b) => Array.from(b.index));
}
