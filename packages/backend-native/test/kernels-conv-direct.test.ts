import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend, setNativeThreads, getNativeThreads } from '../src/index.js';
import { randomTensor, runOn, worstError } from './helpers.js';

// The convolutions with fewer than 32 output channels run in the addon's direct kernels instead of
// im2col + sgemm: native/conv_plane.c (one input channel, <= 4 output channels, horizontal stride 1),
// native/conv_channels.c (forward and filter gradient, vectorised over output channels) and
// native/conv_direct.c (input gradient). Reference: the stock 'cpu' kernels, forward and both gradients.
const available = loadNativeKernels();
const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
  dilation?: number | [number, number];
}

const CASES: Case[] = [
  // LeNet-5 / LeNet-5-half layers (batch cut to 16: enough images to split over two threads)
  { name: 'LeNet conv1 1->6', x: [16, 32, 32, 1], filter: [5, 5, 1, 6], stride: 1, pad: 'valid' },
  { name: 'LeNet-half conv1 1->3 (plane path)', x: [16, 32, 32, 1], filter: [5, 5, 1, 3], stride: 1, pad: 'valid' },
  { name: 'LeNet conv2 6->16', x: [16, 14, 14, 6], filter: [5, 5, 6, 16], stride: 1, pad: 'valid' },
  { name: 'LeNet-half conv2 3->8', x: [16, 14, 14, 3], filter: [5, 5, 3, 8], stride: 1, pad: 'valid' },
  // plane path edges: padding, vertical stride, dilation, rows wider than one 32-pixel span
  { name: 'plane, same padding', x: [3, 11, 9, 1], filter: [3, 5, 1, 4], stride: 1, pad: 'same' },
  { name: 'plane, stride [2, 1]', x: [2, 12, 10, 1], filter: [3, 3, 1, 2], stride: [2, 1], pad: 'same' },
  { name: 'plane, dilation 2, wide rows', x: [2, 9, 70, 1], filter: [3, 3, 1, 1], stride: 1, pad: 'valid', dilation: 2 },
  { name: 'plane, explicit padding', x: [2, 7, 8, 1], filter: [3, 3, 1, 3], stride: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  // channels path edges: 5, 9, 17 and 31 output channels (1 to 4 vectors, partial last vector)
  { name: 'channels, 1->5 stride 2 same', x: [3, 13, 13, 1], filter: [5, 5, 1, 5], stride: 2, pad: 'same' },
  { name: 'channels, 4->9 valid', x: [2, 10, 11, 4], filter: [3, 3, 4, 9], stride: 1, pad: 'valid' },
  { name: 'channels, 2->17 strides [1, 2] same', x: [2, 9, 12, 2], filter: [3, 2, 2, 17], stride: [1, 2], pad: 'same' },
  { name: 'channels, 3->31 dilation 2', x: [2, 12, 12, 3], filter: [3, 3, 3, 31], stride: 1, pad: 'same', dilation: 2 },
  { name: 'channels, 1x1 filter', x: [2, 6, 7, 5], filter: [1, 1, 5, 7], stride: 1, pad: 'valid' },
];

async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('native', compute);
  return worstError(actual, expected);
}

describe.skipIf(!available)('direct (few-channel) native convolutions match the stock cpu kernels', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it.each(CASES)('forward, fused bias + relu, dx and dW (no dilation): $name', async (c) => {
    const error = await compare(() => {
      const x = randomTensor(c.x, 1) as tf.Tensor4D;
      const filter = randomTensor(c.filter, 2) as tf.Tensor4D;
      const bias = randomTensor([c.filter[3]], 3);
      const plain = tf.conv2d(x, filter, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
      const fused = tf.fused.conv2d({ x, filter, strides: c.stride, pad: c.pad, dilations: c.dilation ?? 1, bias, activation: 'relu' });
      // tfjs has no gradients for dilated convolutions: those cases check the forward pass only.
      if (c.dilation !== undefined) return [plain, fused];
      const weights = randomTensor(plain.shape, 4);
      const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad).mul(weights).sum())([x, filter]);
      return [plain, fused, ...grads];
    });
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('gives the same bits with one thread as with two', async () => {
    const c = CASES[0]!;
    const compute = (): tf.Tensor[] => {
      const x = randomTensor(c.x, 5) as tf.Tensor4D;
      const filter = randomTensor(c.filter, 6) as tf.Tensor4D;
      const weights = randomTensor([16, 28, 28, 6], 7);
      return [tf.conv2d(x, filter, 1, 'valid'), ...tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid').mul(weights).sum())([x, filter])];
    };
    const before = getNativeThreads();
    setNativeThreads(1);
    const single = await runOn('native', compute);
    setNativeThreads(2);
    const double = await runOn('native', compute);
    setNativeThreads(before);
    // Work is cut into chunks that do not depend on the thread count, and dW's per-chunk sums are
    // added in chunk order: the bits are the same.
    double.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(single[i]!)));
  });
});
