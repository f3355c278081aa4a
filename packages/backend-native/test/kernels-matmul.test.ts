import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomTensor, runOn, worstError } from './helpers.js';

// Reference: tfjs's stock 'cpu' backend. Subject: the 'native' backend (cpu + OpenBLAS kernels).
const available = loadNativeKernels();
const TOLERANCE = 1e-4;

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

describe.skipIf(!available)('native BatchMatMul and _FusedMatMul match the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  const transposes: Array<[boolean, boolean]> = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];

  it.each(transposes)('2-D matmul with transposeA=%s transposeB=%s', async (ta, tb) => {
    const error = await compare(() => {
      const a = randomTensor(ta ? [47, 33] : [33, 47], 1);
      const b = randomTensor(tb ? [29, 47] : [47, 29], 2);
      return tf.matMul(a, b, ta, tb);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each([
    { name: 'same batch', a: [3, 5, 7], b: [3, 7, 4] },
    { name: 'a broadcast over the batch', a: [1, 5, 7], b: [4, 7, 6] },
    { name: 'b broadcast over the batch', a: [2, 3, 5, 7], b: [1, 1, 7, 2] },
    { name: 'rank-4 batches', a: [2, 3, 4, 6], b: [2, 3, 6, 5] },
  ])('batched matmul: $name', async ({ a, b }) => {
    const error = await compare(() => tf.matMul(randomTensor(a, 3), randomTensor(b, 4)));
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('batched matmul with both transposes', async () => {
    const error = await compare(() => tf.matMul(randomTensor([3, 7, 5], 5), randomTensor([3, 4, 7], 6), true, true));
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('falls back to the stock kernel for int32 and keeps its exact result', async () => {
    await tf.setBackend('native');
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor2d([[5], [6]], undefined, 'int32')));
    expect(product.dtype).toBe('int32');
    expect(Array.from(product.dataSync())).toEqual([17, 39]);
    product.dispose();
  });

  it('handles an empty inner dimension as a zero product', async () => {
    await tf.setBackend('native');
    const product = tf.tidy(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])));
    expect(Array.from(product.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    product.dispose();
  });

  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const;

  it.each(activations)('fused matmul + bias + %s', async (activation) => {
    const error = await compare(() => {
      const a = randomTensor([17, 23], 7).mul(4);
      const b = randomTensor([23, 11], 8);
      const bias = randomTensor([11], 9);
      const preluActivationWeights = activation === 'prelu' ? randomTensor([11], 10) : undefined;
      return tf.fused.matMul({ a, b, bias, activation, preluActivationWeights, leakyreluAlpha: 0.3 });
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(transposes)('fused matmul (scalar bias, relu) with transposeA=%s transposeB=%s', async (ta, tb) => {
    const error = await compare(() => {
      const a = randomTensor(ta ? [19, 13] : [13, 19], 11);
      const b = randomTensor(tb ? [9, 19] : [19, 9], 12);
      return tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias: tf.scalar(0.25), activation: 'relu' });
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('fused matmul without bias and with a batched [1, n] bias', async () => {
    const error = await compare(() => [
      tf.fused.matMul({ a: randomTensor([4, 6], 13), b: randomTensor([6, 5], 14) }),
      tf.fused.matMul({ a: randomTensor([2, 4, 6], 15), b: randomTensor([2, 6, 5], 16), bias: randomTensor([1, 5], 17), activation: 'relu' }),
    ]);
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(transposes)('gradients of matMul (transposeA=%s transposeB=%s) through tf.grads', async (ta, tb) => {
    const error = await compare(() => {
      const a = randomTensor(ta ? [12, 9] : [9, 12], 18);
      const b = randomTensor(tb ? [7, 12] : [12, 7], 19);
      const weights = randomTensor([9, 7], 20);
      return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).mul(weights).sum())([a, b]);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(['linear', 'relu'] as const)('gradients through fused matMul + bias + %s (a, b and bias)', async (activation) => {
    const error = await compare(() => {
      const a = randomTensor([10, 8], 21);
      const b = randomTensor([8, 6], 22);
      const bias = randomTensor([6], 23);
      const weights = randomTensor([10, 6], 24);
      return tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation }).mul(weights).sum(),
      )([a, b, bias]);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });
});
