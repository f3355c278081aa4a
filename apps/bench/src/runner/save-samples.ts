import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Scheme } from '@distillery/core';
import { isSampleSource } from '@distillery/data-free';
import { saveImageGrid } from '@distillery/data-free/node';

/** Images in a sample grid: 8 x 8. */
export const SAMPLE_COUNT = 64;

/** A batch as images [n, h, w, 1 | 3]: 784-vectors become 28x28 grey images; undefined for anything else. */
function asImages(batch: tf.Tensor): tf.Tensor | undefined {
  if (batch.rank === 2 && batch.shape[1] === 784) return tf.reshape(batch, [-1, 28, 28, 1]);
  if (batch.rank === 4 && (batch.shape[3] === 1 || batch.shape[3] === 3)) return batch;
  return undefined;
}

/**
 * After training: when the scheme can show what its student trained on (a SampleSource: data-free
 * generators, inversion, mixup), draws SAMPLE_COUNT inputs and writes them as an 8-column PNG grid to
 * `file`, atomically. Pixels are shown on the datasets' [0, 1] scale (clipped), so the grid shows what the
 * teacher sees, next to real digits. Returns the grid's size, or undefined when nothing was written.
 */
export async function saveSamples(scheme: Scheme, file: string): Promise<{ width: number; height: number } | undefined> {
  if (!isSampleSource(scheme)) return undefined;
  const batch = scheme.sampleInputs(SAMPLE_COUNT);
  const images = asImages(batch);
  try {
    if (!images) return undefined;
    await mkdir(dirname(file), { recursive: true });
    return await saveImageGrid(images, file, { range: [0, 1], columns: 8 });
  } finally {
    tf.dispose(images === batch ? [batch] : [batch, ...(images ? [images] : [])]);
  }
}
