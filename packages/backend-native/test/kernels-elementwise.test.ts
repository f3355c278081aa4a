import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { broadcastGeometry } from '../src/kernels/broadcast-geometry.js';
import { MIN_NATIVE_BROADCAST_ELEMENTS, MIN_NATIVE_ELEMENTS } from '../src/kernels/elementwise.js';
import { randomTensor, runOn, worstError } from './helpers.js';

// Reference: tfjs's stock 'cpu' backend. Subject: the 'native' backend (cpu + native kernels).
const available = loadNativeKernels();
const TOLERANCE = 1e-6;

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

const BINARY = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
] as const;

const LAYOUTS: Array<{ name: string; a: number[]; b: number[] }> = [
  { name: 'same shape', a: [40, 64], b: [40, 64] },
  { name: 'scalar b', a: [40, 64], b: [] },
  { name: 'scalar a', a: [], b: [40, 64] },
  { name: 'bias row b', a: [40, 64], b: [64] },
  { name: 'bias row a with a leading 1', a: [1, 64], b: [40, 64] },
  { name: 'trailing block of a 3-D tensor', a: [6, 8, 32], b: [8, 32] },
  { name: 'column broadcast', a: [40, 64], b: [40, 1] },
  { name: 'two-sided broadcast', a: [40, 1], b: [1, 64] },
  { name: 'log-softmax shift [128, 10] - [128, 1]', a: [128, 10], b: [128, 1] },
  { name: 'column broadcast on a', a: [128, 1], b: [128, 10] },
  { name: 'rank-4 two-sided broadcast', a: [4, 1, 6, 1], b: [1, 5, 1, 7] },
  { name: 'middle-axis broadcast', a: [3, 1, 8], b: [3, 9, 8] },
  { name: 'broadcast with a rank difference', a: [2, 3, 5, 4], b: [3, 1, 4] },
  { name: 'tiny broadcast (stock path)', a: [3, 1], b: [1, 4] },
];

describe.skipIf(!available)('native elementwise kernels match the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it('the shapes below are large enough to take the native path', () => {
    expect(40 * 64).toBeGreaterThanOrEqual(MIN_NATIVE_ELEMENTS);
  });

  for (const [name, op] of BINARY) {
    it.each(LAYOUTS)(`${name}: $name`, async ({ a, b }) => {
      const error = await compare(() => {
        // Keep divisors away from 0 so relative errors stay meaningful.
        const right = name === 'div' ? randomTensor(b, 2).abs().add(0.5) : randomTensor(b, 2);
        return op(randomTensor(a, 1), right);
      });
      expect(error).toBeLessThan(TOLERANCE);
    });
  }

  it('collapses broadcast geometry to contiguous runs', () => {
    // [rank, dims..., aStrides..., bStrides...]
    expect(Array.from(broadcastGeometry([128, 10], [128, 1], [128, 10]))).toEqual([2, 128, 10, 10, 1, 1, 0]);
    expect(Array.from(broadcastGeometry([2, 3, 4], [2, 3, 4], [2, 3, 4]))).toEqual([1, 24, 1, 1]);
    expect(Array.from(broadcastGeometry([4, 1, 6, 1], [1, 5, 1, 7], [4, 5, 6, 7]))).toEqual([4, 4, 5, 6, 7, 6, 0, 1, 0, 0, 7, 0, 1]);
    expect(Array.from(broadcastGeometry([1], [1, 1], [1, 1]))).toEqual([1, 1, 0, 0]);
    expect(3 * 4).toBeLessThan(MIN_NATIVE_BROADCAST_ELEMENTS);
  });

  it('keeps int32 arithmetic on the stock kernel', async () => {
    await tf.setBackend('native');
    const sum = tf.tidy(() => tf.add(tf.range(0, 2048, 1, 'int32'), tf.scalar(3, 'int32')));
    expect(sum.dtype).toBe('int32');
    expect(sum.dataSync()[2047]).toBe(2050);
    sum.dispose();
  });

  it('sqrt, square, relu and step (with alpha, NaN passing through)', async () => {
    const error = await compare(() => {
      const x = randomTensor([50, 48], 3);
      const withNaN = tf.concat([x, tf.fill([1, 48], Number.NaN)]);
      return [tf.sqrt(x.abs()), tf.square(x), tf.relu(withNaN), tf.step(withNaN, 0.25), tf.step(x)];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each([
    { name: 'axis 0 (bias gradient)', shape: [64, 40], axis: 0, keepDims: false },
    { name: 'last axis', shape: [64, 40], axis: -1, keepDims: true },
    { name: 'all axes', shape: [64, 40], axis: undefined, keepDims: false },
    { name: 'middle axes of a 4-D tensor', shape: [4, 6, 7, 9], axis: [1, 2], keepDims: false },
    { name: 'leading axes of a 4-D tensor (conv bias gradient)', shape: [4, 6, 7, 9], axis: [0, 1, 2], keepDims: true },
    { name: 'non-contiguous axes (stock fallback)', shape: [4, 6, 7, 9], axis: [0, 2], keepDims: false },
  ])('sum over $name', async ({ shape, axis, keepDims }) => {
    const expected = await runOn('cpu', () => tf.sum(randomTensor(shape, 4), axis, keepDims));
    await tf.setBackend('native');
    const shapeOnNative = tf.tidy(() => tf.sum(randomTensor(shape, 4), axis, keepDims).shape);
    await tf.setBackend('cpu');
    const shapeOnCpu = tf.tidy(() => tf.sum(randomTensor(shape, 4), axis, keepDims).shape);
    const actual = await runOn('native', () => tf.sum(randomTensor(shape, 4), axis, keepDims));
    expect(shapeOnNative).toEqual(shapeOnCpu);
    expect(worstError(actual, expected)).toBeLessThan(1e-5);
  });
});
