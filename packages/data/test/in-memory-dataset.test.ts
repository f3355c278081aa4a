import * as tf from '@tensorflow/tfjs';
import { ConfigError, EmptyDatasetError, InputShapeError, LabelOutOfRangeError, NonFiniteInputError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryDataset } from '../src/in-memory-dataset.js';
import { collect, epochOrder, indexedDataset, readBatch } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('InMemoryDataset batches', () => {
  const ds = indexedDataset(23);

  it('yields x [b, ...inputShape] float32 and int32 y / index matching the rows', () => {
    const batches = collect(ds.batches({ batchSize: 5, shuffle: true, seed: 1, epoch: 0 }));
    expect(batches.map((b) => b.size)).toEqual([5, 5, 5, 5, 3]);
    for (const b of batches) {
      expect(b.shape).toEqual([b.size, 2, 3, 1]);
      expect(b.dtypes).toEqual(['float32', 'int32', 'int32']);
      expect(b.augmented).toBe(false);
      b.index.forEach((sample, i) => {
        expect(b.y[i]).toBe(sample % 3);
        expect(Array.from(b.x.subarray(i * 6, i * 6 + 6))).toEqual(range(6).map((j) => sample * 1000 + j));
      });
    }
  });

  it('visits every index exactly once per epoch, shuffled or not', () => {
    expect(epochOrder(ds.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 }))).toEqual(range(23));
    for (const epoch of [0, 1, 2]) {
      const order = epochOrder(ds.batches({ batchSize: 4, shuffle: true, seed: 9, epoch }));
      expect(order).toHaveLength(23);
      expect(sorted(order)).toEqual(range(23));
      expect(order).not.toEqual(range(23));
    }
  });

  it('shuffles as a pure function of (seed, epoch), different across epochs and seeds', () => {
    const big = indexedDataset(200, [1]);
    const order = (seed: number, epoch: number) => epochOrder(big.batches({ batchSize: 32, shuffle: true, seed, epoch }));
    expect(order(3, 4)).toEqual(order(3, 4));
    // A new object with the same data shuffles the same way: nothing hides in instance state.
    expect(epochOrder(indexedDataset(200, [1]).batches({ batchSize: 32, shuffle: true, seed: 3, epoch: 4 }))).toEqual(order(3, 4));
    expect(order(3, 4)).not.toEqual(order(3, 5));
    expect(order(3, 4)).not.toEqual(order(4, 4));
    // The batch size only cuts the sequence; it does not change the order.
    expect(epochOrder(big.batches({ batchSize: 7, shuffle: true, seed: 3, epoch: 4 }))).toEqual(order(3, 4));
  });

  it('dropRemainder drops only the last partial batch', () => {
    const kept = collect(ds.batches({ batchSize: 5, shuffle: true, seed: 2, epoch: 1, dropRemainder: true }));
    expect(kept.map((b) => b.size)).toEqual([5, 5, 5, 5]);
    const all = epochOrder(ds.batches({ batchSize: 5, shuffle: true, seed: 2, epoch: 1 }));
    expect(kept.flatMap((b) => Array.from(b.index))).toEqual(all.slice(0, 20));
    expect(collect(ds.batches({ batchSize: 23, shuffle: false, seed: 0, epoch: 0, dropRemainder: true })).map((b) => b.size)).toEqual([23]);
    expect(() => ds.batches({ batchSize: 24, shuffle: false, seed: 0, epoch: 0, dropRemainder: true })).toThrow(ConfigError);
  });

  it('leaks no tensors, also when the consumer stops early', () => {
    const before = tf.memory().numTensors;
    for (const b of ds.batches({ batchSize: 4, shuffle: true, seed: 0, epoch: 0 })) readBatch(b);
    for (const b of ds.batches({ batchSize: 4, shuffle: true, seed: 0, epoch: 1 })) {
      readBatch(b);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad batch options eagerly', () => {
    expect(() => ds.batches({ batchSize: 0, shuffle: true, seed: 0, epoch: 0 })).toThrow(ConfigError);
    expect(() => ds.batches({ batchSize: 2.5, shuffle: true, seed: 0, epoch: 0 })).toThrow(ConfigError);
    expect(() => ds.batches({ batchSize: 2, shuffle: true, seed: 0, epoch: -1 })).toThrow(ConfigError);
    expect(() => ds.batches({ batchSize: 2, shuffle: true, seed: 0.5, epoch: 0 })).toThrow(ConfigError);
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('InMemoryDataset validation', () => {
  const base = { name: 'v', inputShape: [2], numClasses: 3 };

  it('EmptyDatasetError for no samples', () => {
    expect(() => new InMemoryDataset({ ...base, inputs: new Float32Array(0), labels: new Int32Array(0) })).toThrow(EmptyDatasetError);
  });

  it('LabelOutOfRangeError for negative, too large and non-integer labels, naming the position', () => {
    const inputs = new Float32Array(6);
    for (const [labels, position] of [
      [[0, 1, 3], 2],
      [[-1, 0, 0], 0],
      [[0, 1.5, 2], 1],
    ] as const) {
      const attempt = () => new InMemoryDataset({ ...base, inputs, labels });
      expect(attempt).toThrow(LabelOutOfRangeError);
      expect(attempt).toThrow(`at sample ${position}`);
    }
    expect(() => new InMemoryDataset({ ...base, inputs, labels: Int32Array.of(0, 1, 7) })).toThrow(LabelOutOfRangeError);
  });

  it('NonFiniteInputError for NaN and Infinity, naming the sample', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const inputs = Float32Array.of(0, 1, 2, 3, 4, bad);
      const attempt = () => new InMemoryDataset({ ...base, inputs, labels: [0, 1, 2] });
      expect(attempt).toThrow(NonFiniteInputError);
      expect(attempt).toThrow('input sample 2');
    }
  });

  it('InputShapeError when inputs do not hold one row per label', () => {
    const attempt = () => new InMemoryDataset({ ...base, inputs: new Float32Array(7), labels: [0, 1, 2] });
    expect(attempt).toThrow(InputShapeError);
    expect(() => new InMemoryDataset({ ...base, inputs: new Float32Array(8), labels: [0, 1, 2] })).toThrow('expected input shape [3, 2] but got [4, 2]');
    expect(() => new InMemoryDataset({ ...base, inputs: new Float32Array(6), labels: [0, 1, 2], imageShape: [5] })).toThrow(InputShapeError);
  });

  it('ConfigError for bad shapes, numClasses and source ids', () => {
    const ok = { inputs: new Float32Array(6), labels: [0, 1, 2] };
    expect(() => new InMemoryDataset({ ...base, ...ok, inputShape: [] })).toThrow(ConfigError);
    expect(() => new InMemoryDataset({ ...base, ...ok, inputShape: [2, 0] })).toThrow(ConfigError);
    expect(() => new InMemoryDataset({ ...base, ...ok, inputShape: [1.5] })).toThrow(ConfigError);
    expect(() => new InMemoryDataset({ ...base, ...ok, numClasses: 0 })).toThrow(ConfigError);
    expect(() => new InMemoryDataset({ ...base, ...ok, sourceIds: Int32Array.of(1, 2) })).toThrow(ConfigError);
  });
});

describe('InMemoryDataset views', () => {
  it('flattened() shares the array and only changes the shape', () => {
    const ds = indexedDataset(4, [2, 2, 1]);
    const flat = ds.flattened();
    expect(flat.inputs).toBe(ds.inputs);
    expect(flat.inputShape).toEqual([4]);
    expect(flat.imageShape).toEqual([2, 2, 1]);
    const [batch] = collect(flat.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 }));
    expect(batch?.shape).toEqual([4, 4]);
    expect(Array.from(batch?.x.subarray(4, 8) ?? [])).toEqual([1000, 1001, 1002, 1003]);
    expect(() => ds.reshaped([3])).toThrow(InputShapeError);
    expect(ds.reshaped([1, 4]).inputShape).toEqual([1, 4]);
  });

  it('padded(32) centres 28x28 images with 2 zero pixels on each side', () => {
    const inputs = new Float32Array(2 * 28 * 28).map((_, i) => 1 + (i % 784));
    const ds = new InMemoryDataset({ name: 'm', inputs, labels: [0, 1], inputShape: [28, 28, 1], numClasses: 2 });
    const padded = ds.padded(32);
    expect(padded.inputShape).toEqual([32, 32, 1]);
    expect(padded.size).toBe(2);
    const image = padded.input(1);
    let sum = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        const expected = inside ? 1 + (y - 2) * 28 + (x - 2) : 0;
        if (image[y * 32 + x] !== expected) sum += 1;
      }
    }
    expect(sum).toBe(0);
    // Odd differences put the extra row and column after the image.
    const odd = ds.padded(29, 31);
    expect(odd.input(0)[0]).toBe(0);
    expect(odd.input(0)[1]).toBe(1);
    expect(odd.input(0)[27 * 31 + 1 + 27]).toBe(784);
    expect(odd.input(0)[27 * 31 + 30]).toBe(0);
    expect(Array.from(odd.input(0).subarray(28 * 31)).every((v) => v === 0)).toBe(true);
    expect(() => ds.padded(20)).toThrow(ConfigError);
    expect(() => ds.flattened().flattened().reshaped([784]).with({ imageShape: [784] }).padded(32)).toThrow(ConfigError);
  });

  it('classCounts() counts labels per class', () => {
    expect(Array.from(indexedDataset(10, [1], 3).classCounts())).toEqual([4, 3, 3]);
  });
});
