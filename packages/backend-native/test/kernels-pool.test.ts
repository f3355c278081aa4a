import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomTensor, runOn, worstError } from './helpers.js';

// Reference: tfjs's stock 'cpu' backend. Subject: the 'native' backend (cpu + native kernels).
const available = loadNativeKernels();
const TOLERANCE = 1e-5;

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filter: number | [number, number];
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
}

const CASES: PoolCase[] = [
  { name: '2x2 stride 2 valid', x: [3, 8, 8, 5], filter: 2, stride: 2, pad: 'valid' },
  { name: '2x2 stride 2 valid, odd input', x: [2, 9, 7, 3], filter: 2, stride: 2, pad: 'valid' },
  { name: '3x3 stride 1 same (overlapping windows)', x: [2, 7, 7, 4], filter: 3, stride: 1, pad: 'same' },
  { name: '3x3 stride 2 same', x: [2, 9, 10, 3], filter: 3, stride: 2, pad: 'same' },
  { name: '2x3 window, strides [1, 2]', x: [2, 6, 9, 2], filter: [2, 3], stride: [1, 2], pad: 'valid' },
  { name: 'numeric padding 1', x: [1, 6, 6, 3], filter: 3, stride: 2, pad: 1 },
];

/** Small integers make ties within windows common: the gradient must go to the first maximum, as in tfjs. */
function tiedInput(shape: number[], seed: number): tf.Tensor4D {
  return randomTensor(shape, seed).mul(3).round() as tf.Tensor4D;
}

describe.skipIf(!available)('native pooling matches the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it.each(CASES)('maxPool and avgPool forward: $name', async (c) => {
    const error = await compare(() => {
      const x = randomTensor(c.x, 1) as tf.Tensor4D;
      return [tf.maxPool(x, c.filter, c.stride, c.pad), tf.avgPool(x, c.filter, c.stride, c.pad)];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(CASES)('MaxPoolGrad and AvgPoolGrad through tf.grad, with ties: $name', async (c) => {
    const error = await compare(() => {
      const x = tiedInput(c.x, 2);
      const outShape = tf.maxPool(x, c.filter, c.stride, c.pad).shape;
      const weights = randomTensor(outShape, 3);
      return [
        tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.filter, c.stride, c.pad).mul(weights).sum())(x),
        tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, c.filter, c.stride, c.pad).mul(weights).sum())(x),
      ];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('all-negative windows and NaN behave as in the stock kernels', async () => {
    const error = await compare(() => {
      const negative = randomTensor([2, 6, 6, 3], 4).abs().neg().sub(0.1) as tf.Tensor4D;
      const withNaN = tf.concat([negative, tf.fill([2, 6, 1, 3], Number.NaN)], 2) as tf.Tensor4D;
      const grad = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(negative);
      return [grad, tf.maxPool(withNaN, 2, 1, 'valid'), tf.avgPool(withNaN, 2, 1, 'valid')];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('a 1x1 stride-1 pool stays the stock identity', async () => {
    const error = await compare(() => tf.maxPool(randomTensor([2, 4, 4, 3], 5) as tf.Tensor4D, 1, 1, 'valid'));
    expect(error).toBe(0);
  });
});
