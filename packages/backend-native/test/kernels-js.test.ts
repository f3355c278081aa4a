import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomTensor, randomValues, runOn, worstError } from './helpers.js';

// Reference: tfjs's stock 'cpu' backend. Subject: the 'native' backend (cpu + this package's kernels).
const available = loadNativeKernels();
const TOLERANCE = 1e-4;

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

/** The output's dtype and shape on a backend (checked beside the values, which runOn flattens to float32). */
async function signature(backend: string, compute: () => tf.Tensor): Promise<string> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const t = compute();
    return `${t.dtype} [${t.shape.join(', ')}]`;
  });
}

async function sameSignature(compute: () => tf.Tensor): Promise<void> {
  expect(await signature('native', compute)).toBe(await signature('cpu', compute));
}

/** Deterministic int32 ids in [low, high). */
function ids(count: number, low: number, high: number, seed: number): tf.Tensor1D {
  const values = randomValues(count, seed);
  return tf.tensor1d(Array.from(values, (v) => low + Math.floor(((v + 1) / 2) * (high - low))), 'int32');
}

describe.skipIf(!available)('JS kernels of the native backend match the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  describe('UnsortedSegmentSum', () => {
    it.each([
      { name: '[200, 16] into 50 segments', rows: 200, rest: [16], segments: 50 },
      { name: '1-D x into 7 segments', rows: 40, rest: [], segments: 7 },
      { name: '[30, 3, 5] into 400 segments (most empty)', rows: 30, rest: [3, 5], segments: 400 },
      { name: 'one row, one segment', rows: 1, rest: [8], segments: 1 },
    ])('$name', async ({ rows, rest, segments }) => {
      const compute = () => tf.unsortedSegmentSum(randomTensor([rows, ...rest], 1), ids(rows, 0, segments, 2), segments);
      expect(await compare(compute)).toBeLessThan(TOLERANCE);
      await sameSignature(compute);
    });

    it('drops negative and out-of-range ids as the stock kernel does, leaving empty segments zero', async () => {
      const compute = () => tf.unsortedSegmentSum(randomTensor([60, 4], 3), ids(60, -5, 12, 4), 8);
      expect(await compare(compute)).toBeLessThan(TOLERANCE);
      const values = await runOn('native', () => tf.unsortedSegmentSum(tf.ones([3, 2]), tf.tensor1d([-1, 9, 1], 'int32'), 3));
      expect(Array.from(values[0] as Float32Array)).toEqual([0, 0, 1, 1, 0, 0]);
    });

    it('sums int32 data into float32, as the stock kernel does', async () => {
      const compute = () => tf.unsortedSegmentSum(tf.tensor2d(Array.from({ length: 90 }, (_, i) => (i * 37) % 11 - 5), [30, 3], 'int32'), ids(30, 0, 6, 5), 6);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
    });

    it('is the gradient of gather (an embedding table)', async () => {
      expect(
        await compare(() => {
          const table = randomTensor([500, 12], 6);
          const tokens = tf.reshape(ids(8 * 10, 0, 500, 7), [8, 10]);
          const weights = randomTensor([8, 10, 12], 8);
          return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tokens), weights)))(table);
        }),
      ).toBeLessThan(TOLERANCE);
    });
  });

  describe('GatherV2', () => {
    it.each([
      { name: 'rows of a [50, 8] table by [4, 6] ids', x: [50, 8], axis: 0, count: 24, idShape: [4, 6], batchDims: 0 },
      { name: 'axis 1 of [3, 20, 5]', x: [3, 20, 5], axis: 1, count: 7, idShape: [7], batchDims: 0 },
      { name: 'last axis of [4, 30] (single elements)', x: [4, 30], axis: 1, count: 11, idShape: [11], batchDims: 0 },
      { name: 'rows of 40 floats (memcpy path)', x: [10, 40], axis: 0, count: 13, idShape: [13], batchDims: 0 },
    ])('$name', async ({ x, axis, count, idShape, batchDims }) => {
      const compute = () => tf.gather(randomTensor(x, 9), tf.reshape(ids(count, 0, x[axis] as number, 10), idShape), axis, batchDims);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
    });

    it('batchDims 1 and int32 data', async () => {
      const compute = () => tf.gather(tf.cast(tf.mul(randomTensor([3, 9, 2], 11), 100), 'int32'), tf.reshape(ids(12, 0, 9, 12), [3, 4]), 1, 1);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
    });

    it('still throws for an out-of-range index', async () => {
      await tf.setBackend('native');
      expect(() => tf.tidy(() => tf.gather(tf.ones([4, 2]), tf.tensor1d([0, 4], 'int32')))).toThrow(/not in \[0, 3\]/);
    });
  });

  describe('Transpose and Tile', () => {
    it.each([
      { shape: [32, 6, 4, 8], perm: [0, 2, 1, 3] },
      { shape: [5, 7], perm: [1, 0] },
      { shape: [2, 3, 4, 5, 6], perm: [4, 2, 0, 3, 1] },
      { shape: [1, 9, 1, 40], perm: [3, 1, 2, 0] },
      { shape: [3, 0, 2], perm: [2, 0, 1] },
    ])('transpose $shape by $perm', async ({ shape, perm }) => {
      const compute = () => tf.transpose(randomTensor(shape, 13), perm);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
    });

    it('transposes int32 and bool tensors', async () => {
      const int = () => tf.transpose(tf.cast(tf.mul(randomTensor([4, 5, 6], 14), 50), 'int32'), [2, 0, 1]);
      const bool = () => tf.transpose(tf.greater(randomTensor([4, 5, 6], 15), 0), [1, 2, 0]);
      expect(await compare(int)).toBe(0);
      expect(await compare(bool)).toBe(0);
      await sameSignature(int);
      await sameSignature(bool);
    });

    it.each([
      { shape: [1, 1, 1, 32], reps: [16, 8, 8, 1] },
      { shape: [3, 4], reps: [2, 3] },
      { shape: [2, 1, 5], reps: [1, 7, 1] },
      { shape: [40], reps: [3] },
      { shape: [2, 3], reps: [0, 2] },
    ])('tile $shape by $reps', async ({ shape, reps }) => {
      const compute = () => tf.tile(randomTensor(shape, 16), reps);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
    });

    it('tiles int32 data and differentiates through tile', async () => {
      const compute = () => tf.tile(tf.tensor2d([1, -2, 3, 4], [2, 2], 'int32'), [3, 2]);
      expect(await compare(compute)).toBe(0);
      await sameSignature(compute);
      expect(
        await compare(() => {
          const w = randomTensor([6, 12], 17);
          return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, [3, 4]), w)))(randomTensor([2, 3], 18));
        }),
      ).toBeLessThan(TOLERANCE);
    });
  });

  describe('Sum and Mean', () => {
    it.each([
      { name: 'axes [2, 4] of [4, 5, 2, 6, 2, 3] (upsampling gradient)', shape: [4, 5, 2, 6, 2, 3], axis: [2, 4], keepDims: false },
      { name: 'axes [0, 2] of [16, 8, 12], keepDims', shape: [16, 8, 12], axis: [0, 2], keepDims: true },
      { name: 'axes [0, 1, 2] of [8, 6, 6, 5] (batch-norm moments)', shape: [8, 6, 6, 5], axis: [0, 1, 2], keepDims: false },
      { name: 'last axis of [64, 40]', shape: [64, 40], axis: [-1], keepDims: true },
      { name: 'every axis of [50, 30]', shape: [50, 30], axis: [0, 1], keepDims: false },
    ])('sum and mean over $name', async ({ shape, axis, keepDims }) => {
      expect(await compare(() => [tf.sum(randomTensor(shape, 19), axis, keepDims), tf.mean(randomTensor(shape, 19), axis, keepDims)])).toBeLessThan(1e-5);
      await sameSignature(() => tf.mean(randomTensor(shape, 19), axis, keepDims));
      await sameSignature(() => tf.sum(randomTensor(shape, 19), axis, keepDims));
    });

    it('leaves int32 means and sums to the stock kernels (dtypes unchanged)', async () => {
      const x = () => tf.cast(tf.mul(randomTensor([40, 30], 20), 20), 'int32');
      expect(await compare(() => [tf.mean(x(), 0), tf.sum(x(), [0, 1])])).toBe(0);
      await sameSignature(() => tf.mean(x(), 1));
      await sameSignature(() => tf.sum(x(), 1));
    });

    it('gradients of a layer norm (mean and variance over the last axis)', async () => {
      expect(
        await compare(() => {
          const w = randomTensor([32, 64], 21);
          const layerNorm = (x: tf.Tensor) => {
            const centered = tf.sub(x, tf.mean(x, -1, true));
            return tf.div(centered, tf.sqrt(tf.add(tf.mean(tf.square(centered), -1, true), 1e-5)));
          };
          return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layerNorm(x), w)))(randomTensor([32, 64], 22));
        }),
      ).toBeLessThan(TOLERANCE);
    });
  });

  describe('Softmax', () => {
    it.each([[[32, 4, 16, 16]], [[7, 10]], [[1, 1]], [[3, 1000]]])('forward and gradient on %j', async (shape) => {
      expect(
        await compare(() => {
          const logits = tf.mul(randomTensor(shape, 23), 8);
          const w = randomTensor(shape, 24);
          return [tf.softmax(logits), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), w)))(logits)];
        }),
      ).toBeLessThan(TOLERANCE);
    });

    it('masked scores (-1e9) get probability exactly 0; a row of -Infinity is NaN, as on the stock kernel', async () => {
      const compute = () => tf.softmax(tf.tensor2d([0.5, -1e9, 2, -1e9, -Infinity, -Infinity, -Infinity, -Infinity], [2, 4]));
      const [expected] = await runOn('cpu', compute);
      const [actual] = await runOn('native', compute);
      expect(actual?.[1]).toBe(0);
      expect(Array.from(actual ?? []).slice(4).every(Number.isNaN)).toBe(true);
      expect(worstError([actual as Float32Array], [expected as Float32Array])).toBeLessThan(1e-6);
    });
  });

  describe('elementwise', () => {
    it('Neg, Floor, Exp, Erf, Rsqrt (float32) and Neg (int32)', async () => {
      const x = () => tf.mul(randomTensor([64, 33], 25), 4);
      expect(await compare(() => [tf.neg(x()), tf.floor(x()), tf.exp(x()), tf.erf(x()), tf.rsqrt(tf.abs(x()))])).toBeLessThan(1e-6);
      // small inputs (stock Exp/Erf below 1,024 values) and the special values
      const special = () => tf.tensor1d([0, -0, NaN, Infinity, -Infinity, 1e-20, -3.5, 9]);
      const specials = () => [tf.exp(special()), tf.erf(special()), tf.rsqrt(special()), tf.erf(tf.tile(special(), [200])), tf.exp(tf.tile(special(), [200]))];
      const expected = (await runOn('cpu', specials)).map((values) => Array.from(values));
      expect((await runOn('native', specials)).map((values) => Array.from(values))).toEqual(expected);
      const int = () => tf.neg(tf.tensor1d([3, -4, 0, 2147483647], 'int32'));
      expect(await compare(int)).toBe(0);
      await sameSignature(int);
      await sameSignature(() => tf.floor(x()));
    });

    it('Greater with a scalar on either side, same shapes, and a row broadcast', async () => {
      const x = () => randomTensor([20, 30], 26);
      const cases = [
        () => tf.greater(x(), 0),
        () => tf.greater(0.25, x()),
        () => tf.greater(x(), randomTensor([20, 30], 27)),
        () => tf.greater(x(), randomTensor([30], 28)),
        () => tf.greater(tf.tensor1d([1, 5, -2], 'int32'), tf.scalar(1, 'int32')),
      ];
      for (const compute of cases) {
        expect(await compare(compute)).toBe(0);
        await sameSignature(compute);
      }
    });

    it('the LeakyReLU gradient (Greater + Select) matches', async () => {
      expect(
        await compare(() => {
          const w = randomTensor([16, 40], 29);
          return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, 0.2), w)))(randomTensor([16, 40], 30));
        }),
      ).toBeLessThan(1e-6);
    });
  });
});
