import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { LENET5_INPUT_SHAPE, LENET5_WIDTHS, deriveSeed, fromLayersModel, type LayersTrainableModel, type LeNet5Variant } from '@distillery/models';
import { batchNormTaps } from './batch-norm-teacher.js';

export interface LeNet5BnOptions {
  readonly numClasses: number;
  readonly seed: number;
  readonly variant?: LeNet5Variant;
  readonly name?: string;
}

/**
 * LeNet-5 with a batch norm after each convolution and hidden dense layer (conv -> BN -> ReLU -> pool;
 * dense -> BN -> ReLU), for DeepInversion, which needs batch-norm statistics to invert. The zoo's LeNet-5
 * has none. Same widths as @distillery/models' lenet5 variants; convolutions and hidden dense layers have
 * no bias (the batch norm's shift replaces it). Taps "conv1", "conv2", "fc1", "fc2" (post-ReLU, as in the
 * zoo) and "bn:<layer>" for every batch norm's input.
 */
export function lenet5Bn(options: LeNet5BnOptions): LayersTrainableModel {
  const variant = options.variant ?? 'full';
  const widths = LENET5_WIDTHS[variant];
  if (widths === undefined) throw new ConfigError(`unknown LeNet-5 variant "${String(variant)}"`, 'use "full", "half-dafl" or "half-lopes"');
  if (!Number.isInteger(options.numClasses) || options.numClasses < 2) throw new ConfigError(`numClasses must be an integer >= 2, got ${options.numClasses}`, 'pass the dataset\'s class count');
  const [c1, c2, f1, f2] = widths;
  const name = options.name ?? (variant === 'full' ? 'lenet5-bn' : `lenet5-bn-${variant}`);
  const kernel = (layer: string) => tf.initializers.glorotUniform({ seed: deriveSeed(options.seed, `${layer}/kernel`) });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;
  const normalised = (x: tf.SymbolicTensor, prefix: string): tf.SymbolicTensor =>
    apply(tf.layers.reLU({ name: `${prefix}_relu` }), apply(tf.layers.batchNormalization({ name: `${prefix}_bn`, momentum: 0.9, epsilon: 1e-5 }), x));

  const input = tf.input({ shape: [...LENET5_INPUT_SHAPE], name: 'input' });
  const conv = (x: tf.SymbolicTensor, filters: number, layer: string) =>
    apply(tf.layers.conv2d({ name: layer, filters, kernelSize: 5, padding: 'valid', useBias: false, kernelInitializer: kernel(layer) }), x);
  const dense = (x: tf.SymbolicTensor, units: number, layer: string, useBias: boolean) =>
    apply(tf.layers.dense({ name: layer, units, useBias, kernelInitializer: kernel(layer) }), x);
  let x = apply(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }), normalised(conv(input, c1, 'conv1_linear'), 'conv1'));
  x = apply(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }), normalised(conv(x, c2, 'conv2_linear'), 'conv2'));
  x = apply(tf.layers.flatten({ name: 'flatten' }), x);
  x = normalised(dense(x, f1, 'fc1_linear', false), 'fc1');
  x = normalised(dense(x, f2, 'fc2_linear', false), 'fc2');
  const logits = dense(x, options.numClasses, 'logits', true);
  const model = tf.model({ inputs: input, outputs: logits, name });
  return fromLayersModel(model, {
    name,
    numClasses: options.numClasses,
    taps: { conv1: 'conv1_relu', conv2: 'conv2_relu', fc1: 'fc1_relu', fc2: 'fc2_relu', ...batchNormTaps(model) },
  });
}
