import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomTensor, runOn, worstError } from './helpers.js';

// Reference: tfjs's stock 'cpu' backend. Subject: the 'native' backend (cpu + this package's kernels).
// Cast, Slice, SplitV, PadV2, Equal, Greater and Max copy or compare values, so they must match exactly.
const available = loadNativeKernels();

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

/** Every output's dtype and shape on a backend. */
async function signatures(backend: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<string> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const result = compute();
    return (Array.isArray(result) ? result : [result]).map((t) => `${t.dtype} [${t.shape.join(', ')}]`).join('; ');
  });
}

async function expectSame(compute: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  expect(await compare(compute)).toBe(0);
  expect(await signatures('native', compute)).toBe(await signatures('cpu', compute));
}

/** The raw data object the cpu backend stores for a tensor (what native kernels read). */
function storedValues(t: tf.Tensor): unknown {
  return (tf.backend() as unknown as { data: { get(id: object): { values?: unknown } } }).data.get(t.dataId).values;
}

describe.skipIf(!available)('slicing, padding, comparison and max kernels match the stock cpu kernels exactly', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  describe('Cast', () => {
    it('bool and int32 to float32 store a Float32Array (the stock kernel relabels the Uint8Array)', async () => {
      await tf.setBackend('native');
      const mask = tf.cast(tf.notEqual(tf.tensor2d([[1, 2, 0], [3, 0, 0]], [2, 3], 'int32'), 0), 'float32');
      const fromInt = tf.cast(tf.tensor1d([-7, 0, 2147483647], 'int32'), 'float32');
      expect(storedValues(mask)).toBeInstanceOf(Float32Array);
      expect(Array.from(mask.dataSync())).toEqual([1, 1, 0, 1, 0, 0]);
      expect(Array.from(fromInt.dataSync())).toEqual([-7, 0, 2147483648]); // float32 rounding of 2^31 - 1
      tf.dispose([mask, fromInt]);
    });

    it('other casts are the stock ones', async () => {
      await expectSame(() => tf.cast(tf.tensor1d([1.7, -2.2, 0]), 'int32'));
      await expectSame(() => tf.cast(tf.tensor1d([1.7, 0, -3]), 'bool'));
      await expectSame(() => tf.cast(tf.tensor1d([1, 0], 'bool'), 'int32'));
    });
  });

  describe('Slice and SplitV', () => {
    it.each([
      { name: 'middle axis of [32, 66, 32] (a pad gradient)', shape: [32, 66, 32], begin: [0, 1, 0], size: [32, 64, 32] },
      { name: 'last axis', shape: [6, 10], begin: [0, 3], size: [6, 4] },
      { name: 'every axis of a 4-D tensor', shape: [3, 5, 4, 6], begin: [1, 2, 1, 3], size: [2, 2, 3, 2] },
      { name: 'size -1 (to the end)', shape: [4, 7, 3], begin: [1, 2, 0], size: [-1, -1, 2] },
      { name: 'contiguous rows (stock subarray path)', shape: [8, 5], begin: [2, 0], size: [3, 5] },
      { name: 'an empty slice', shape: [4, 5], begin: [0, 2], size: [4, 0] },
    ])('$name', async ({ shape, begin, size }) => {
      await expectSame(() => tf.slice(randomTensor(shape, 31), begin, size));
    });

    it('int32 and bool slices', async () => {
      await expectSame(() => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]));
      await expectSame(() => tf.slice(tf.tensor2d([1, 0, 1, 1, 0, 0], [2, 3], 'bool'), [0, 1], [2, 1]));
    });

    it('split along inner and outer axes, by sizes and by count', async () => {
      await expectSame(() => tf.split(randomTensor([32, 96], 32), [32, 32, 32], 1));
      await expectSame(() => tf.split(randomTensor([4, 9, 5], 33), [2, -1, 3], 1));
      await expectSame(() => tf.split(randomTensor([6, 4], 34), 3, 0));
    });

    it('the gradient of pad then concat (a text CNN) is the same', async () => {
      expect(
        await compare(() => {
          const x = randomTensor([4, 10, 6], 35);
          const w = randomTensor([4, 12 + 13 + 10, 6], 36);
          return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.concat([tf.pad(v, [[0, 0], [0, 2], [0, 0]]), tf.pad(v, [[0, 0], [1, 2], [0, 0]]), v], 1), w)))(x);
        }),
      ).toBe(0);
    });
  });

  describe('PadV2', () => {
    it.each([
      { name: 'the middle axis of [32, 64, 32]', shape: [32, 64, 32], paddings: [[0, 0], [0, 2], [0, 0]], value: 0 },
      { name: 'every axis, constant 1.5', shape: [3, 4, 5], paddings: [[1, 2], [0, 1], [2, 0]], value: 1.5 },
      { name: 'only the first axis', shape: [3, 4], paddings: [[2, 1], [0, 0]], value: -1 },
      { name: 'nothing', shape: [5, 2], paddings: [[0, 0], [0, 0]], value: 0 },
      { name: 'a 1-D tensor', shape: [7], paddings: [[3, 4]], value: 2 },
    ])('$name', async ({ shape, paddings, value }) => {
      await expectSame(() => tf.pad(randomTensor(shape, 37), paddings as Array<[number, number]>, value));
    });

    it('int32 and an empty input', async () => {
      await expectSame(() => tf.pad(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [[1, 0], [0, 2]], 9));
      await expectSame(() => tf.pad(tf.zeros([0, 3]), [[1, 1], [0, 0]], 4));
    });
  });

  describe('Equal and Greater', () => {
    const cases: Array<[string, () => tf.Tensor]> = [
      ['x == max(x) over the middle axis (max gradient)', () => tf.equal(tf.round(tf.mul(randomTensor([8, 12, 5], 38), 3)), tf.max(tf.round(tf.mul(randomTensor([8, 12, 5], 38), 3)), 1, true))],
      ['same shapes', () => tf.equal(tf.round(randomTensor([20, 30], 39)), tf.round(randomTensor([20, 30], 40)))],
      ['scalar on the left', () => tf.greater(0.25, randomTensor([20, 30], 41))],
      ['scalar on the right', () => tf.greater(randomTensor([20, 30], 42), 0)],
      ['row broadcast', () => tf.greater(randomTensor([20, 30], 43), randomTensor([30], 44))],
      ['both sides broadcast', () => tf.greater(randomTensor([5, 1, 7], 45), randomTensor([1, 6, 7], 46))],
      ['column broadcast', () => tf.equal(tf.round(randomTensor([9, 4], 47)), tf.round(randomTensor([9, 1], 48)))],
      ['int32', () => tf.equal(tf.tensor2d([1, 5, -2, 4], [2, 2], 'int32'), tf.tensor1d([1, 4], 'int32'))],
      ['NaN is never equal or greater', () => tf.concat([tf.equal(tf.tensor1d([NaN, 1]), tf.tensor1d([NaN, 1])), tf.greater(tf.tensor1d([NaN, 1]), tf.tensor1d([0, NaN]))])],
    ];
    it.each(cases)('%s', async (_name, compute) => {
      await expectSame(compute);
    });
  });

  describe('Max', () => {
    it.each([
      { name: 'middle axis of [32, 64, 32] (max over time)', shape: [32, 64, 32], axes: [1], keepDims: false },
      { name: 'last axis, keepDims (log-softmax)', shape: [8, 4, 16, 16], axes: [-1], keepDims: true },
      { name: 'first axis', shape: [10, 7], axes: [0], keepDims: false },
      { name: 'two neighbouring axes', shape: [3, 4, 5, 6], axes: [1, 2], keepDims: true },
      { name: 'every axis', shape: [6, 5], axes: [0, 1], keepDims: false },
      { name: 'axes that are not neighbours (stock path)', shape: [3, 4, 5], axes: [0, 2], keepDims: false },
    ])('$name', async ({ shape, axes, keepDims }) => {
      await expectSame(() => tf.max(randomTensor(shape, 49), axes, keepDims));
    });

    it('NaN wins wherever it appears, int32 keeps its dtype', async () => {
      await expectSame(() => tf.max(tf.tensor2d([1, NaN, 3, NaN, 2, 5, 4, 0, 1], [3, 3]), 0));
      await expectSame(() => tf.max(tf.tensor2d([1, NaN, 3, NaN, 2, 5, 4, 0, 1], [3, 3]), 1));
      await expectSame(() => tf.max(tf.tensor2d([3, -9, 7, 2], [2, 2], 'int32'), 1));
    });

    it('the gradient of masked max-over-time pooling is the same', async () => {
      expect(
        await compare(() => {
          const mask = tf.cast(tf.greater(randomTensor([6, 9], 50), -0.5), 'float32');
          const w = randomTensor([6, 4], 51);
          return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.max(tf.mul(tf.relu(x), tf.expandDims(mask, 2)), 1), w)))(randomTensor([6, 9, 4], 52));
        }),
      ).toBe(0);
    });
  });
});
