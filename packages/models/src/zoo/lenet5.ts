import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { fromLayersModel } from '../adapter/from-layers-model.js';
import type { LayersTrainableModel } from '../types.js';
import { requireClasses, requireSeed } from './checks.js';
import { seededKernel } from './init.js';

/**
 * - 'full': LeNet-5 as in DAFL/DFAD/ZSKD code: conv6-pool-conv16-pool-120-84-classes (61,706 params at 10 classes).
 * - 'half-dafl': DAFL's LeNet5Half, every layer halved: conv3-pool-conv8-pool-60-42 (15,738 params).
 * - 'half-lopes': Lopes et al. / ZSKD's half, conv filters halved only: conv3-pool-conv8-pool-120-84 (35,820 params).
 */
export type LeNet5Variant = 'full' | 'half-dafl' | 'half-lopes';

export interface LeNet5Options {
  readonly numClasses: number;
  readonly seed: number;
  readonly variant?: LeNet5Variant;
  readonly name?: string;
}

/** Widths [conv1 filters, conv2 filters, fc1 units, fc2 units] per variant. */
export const LENET5_WIDTHS: Readonly<Record<LeNet5Variant, readonly [number, number, number, number]>> = {
  full: [6, 16, 120, 84],
  'half-dafl': [3, 8, 60, 42],
  'half-lopes': [3, 8, 120, 84],
};

/** LeNet-5 input: 32x32 grey images (MNIST is padded from 28x28 by 2 pixels, as in the DAFL setup). */
export const LENET5_INPUT_SHAPE: readonly number[] = [32, 32, 1];

/**
 * LeNet-5 with ReLU and 2x2 max-pooling, valid 5x5 convolutions. The reference code's C5 is a 5x5 conv
 * over a 5x5 map, i.e. a dense layer over the 400 flattened values: it is built as `fc1` (same
 * parameters, same function). Taps "conv1" [28,28,c1], "conv2" [10,10,c2] (post-ReLU, before pooling),
 * "fc1", "fc2" (post-ReLU).
 */
export function lenet5(options: LeNet5Options): LayersTrainableModel {
  const { numClasses, seed } = options;
  const variant = options.variant ?? 'full';
  const widths = LENET5_WIDTHS[variant];
  if (widths === undefined) {
    throw new ConfigError(`unknown LeNet-5 variant "${String(variant)}"`, 'use "full", "half-dafl" or "half-lopes"');
  }
  requireClasses(numClasses);
  requireSeed(seed);
  const [c1, c2, f1, f2] = widths;
  const name = options.name ?? (variant === 'full' ? 'lenet5' : `lenet5-${variant}`);

  const input = tf.input({ shape: [...LENET5_INPUT_SHAPE], name: 'input' });
  const conv = (x: tf.SymbolicTensor, filters: number, layerName: string): tf.SymbolicTensor =>
    tf.layers
      .conv2d({ filters, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: seededKernel(seed, layerName), name: layerName })
      .apply(x) as tf.SymbolicTensor;
  const pool = (x: tf.SymbolicTensor, layerName: string): tf.SymbolicTensor =>
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: layerName }).apply(x) as tf.SymbolicTensor;
  const dense = (x: tf.SymbolicTensor, units: number, layerName: string, activation: 'relu' | 'linear'): tf.SymbolicTensor =>
    tf.layers.dense({ units, activation, kernelInitializer: seededKernel(seed, layerName), name: layerName }).apply(x) as tf.SymbolicTensor;

  let x = pool(conv(input, c1, 'conv1'), 'pool1');
  x = pool(conv(x, c2, 'conv2'), 'pool2');
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = dense(x, f1, 'fc1', 'relu');
  x = dense(x, f2, 'fc2', 'relu');
  const logits = dense(x, numClasses, 'logits', 'linear');
  return fromLayersModel(tf.model({ inputs: input, outputs: logits, name }), {
    name,
    numClasses,
    taps: { conv1: 'conv1', conv2: 'conv2', fc1: 'fc1', fc2: 'fc2' },
  });
}
