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

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
  dilation?: number | [number, number];
}

const CASES: ConvCase[] = [
  { name: '3x3 same stride 1', x: [2, 9, 9, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { name: '3x3 valid stride 2', x: [3, 11, 10, 2], filter: [3, 3, 2, 4], stride: 2, pad: 'valid' },
  { name: '5x5 same stride 2 (odd input)', x: [2, 13, 13, 1], filter: [5, 5, 1, 6], stride: 2, pad: 'same' },
  { name: '2x3 filter, strides [1, 2]', x: [2, 8, 9, 3], filter: [2, 3, 3, 4], stride: [1, 2], pad: 'same' },
  { name: '1x1 pointwise', x: [2, 6, 7, 8], filter: [1, 1, 8, 3], stride: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 7, 7, 4], filter: [1, 1, 4, 3], stride: 2, pad: 'same' },
  { name: 'explicit padding', x: [2, 7, 8, 3], filter: [3, 3, 3, 2], stride: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { name: 'filter larger than stride, valid', x: [1, 12, 12, 2], filter: [4, 4, 2, 3], stride: 3, pad: 'valid' },
];

const DILATED: ConvCase[] = [
  { name: 'dilation 2 same', x: [2, 10, 10, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same', dilation: 2 },
  { name: 'dilation [2, 3] valid', x: [1, 12, 13, 2], filter: [3, 2, 2, 3], stride: 1, pad: 'valid', dilation: [2, 3] },
];

function inputs(c: ConvCase, seed: number): { x: tf.Tensor4D; filter: tf.Tensor4D } {
  return { x: randomTensor(c.x, seed) as tf.Tensor4D, filter: randomTensor(c.filter, seed + 1) as tf.Tensor4D };
}

describe.skipIf(!available)('native convolutions match the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it.each([...CASES, ...DILATED])('Conv2D forward: $name', async (c) => {
    const error = await compare(() => {
      const { x, filter } = inputs(c, 1);
      return tf.conv2d(x, filter, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(CASES)('Conv2DBackpropInput and Conv2DBackpropFilter via tf.grads: $name', async (c) => {
    const error = await compare(() => {
      const { x, filter } = inputs(c, 3);
      const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
      const weights = randomTensor(outShape, 5);
      return tf.grads((a: tf.Tensor, f: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad).mul(weights).sum(),
      )([x, filter]);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('conv2dTranspose (Conv2DBackpropInput as a forward op)', async () => {
    const error = await compare(() => {
      const x = randomTensor([2, 5, 5, 4], 6) as tf.Tensor4D;
      const filter = randomTensor([3, 3, 2, 4], 7) as tf.Tensor4D;
      return tf.conv2dTranspose(x, filter, [2, 10, 10, 2], 2, 'same');
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const;

  it.each(activations)('FusedConv2D with bias and %s', async (activation) => {
    const error = await compare(() => {
      const x = randomTensor([2, 8, 8, 3], 8).mul(3) as tf.Tensor4D;
      const filter = randomTensor([3, 3, 3, 4], 9) as tf.Tensor4D;
      const bias = randomTensor([4], 10);
      const preluActivationWeights = activation === 'prelu' ? randomTensor([4], 11) : undefined;
      return tf.fused.conv2d({ x, filter, strides: 2, pad: 'same', bias, activation, preluActivationWeights, leakyreluAlpha: 0.1 });
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('FusedConv2D with a scalar bias, no bias, and dilation', async () => {
    const error = await compare(() => {
      const x = randomTensor([1, 9, 9, 2], 12) as tf.Tensor4D;
      const filter = randomTensor([3, 3, 2, 3], 13) as tf.Tensor4D;
      return [
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', bias: tf.scalar(-0.5), activation: 'relu' }),
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', dilations: 2 }),
      ];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it.each(['linear', 'relu'] as const)('gradients through fused conv2d + bias + %s', async (activation) => {
    const error = await compare(() => {
      const x = randomTensor([2, 7, 7, 3], 14) as tf.Tensor4D;
      const filter = randomTensor([3, 3, 3, 4], 15) as tf.Tensor4D;
      const bias = randomTensor([4], 16);
      const weights = randomTensor([2, 4, 4, 4], 17);
      return tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
        tf.fused
          .conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation })
          .mul(weights)
          .sum(),
      )([x, filter, bias]);
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('falls back to the stock kernel for NCHW data', async () => {
    // tfjs's cpu backend runs NCHW Conv2D forward; the native kernel must hand it over unchanged.
    const error = await compare(() => {
      const x = randomTensor([2, 3, 6, 6], 18) as tf.Tensor4D;
      const filter = randomTensor([3, 3, 3, 2], 19) as tf.Tensor4D;
      return tf.conv2d(x, filter, 1, 'same', 'NCHW');
    });
    expect(error).toBeLessThan(TOLERANCE);
  });
});
