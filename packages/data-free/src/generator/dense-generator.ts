import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { deriveSeed } from '@distillery/models';
import { fixedBatchNorm, freezeAffine } from './fixed-batch-norm.js';
import type { Generator } from './generator.js';
import { layersGenerator, type OutputScale } from './layers-generator.js';

export interface DenseGeneratorOptions {
  /** any per-sample shape; the last layer produces prod(outputShape) values, reshaped */
  readonly outputShape: readonly number[];
  readonly latentDim?: number;
  /** hidden widths, each linear -> BN -> LeakyReLU(0.2); default [64] */
  readonly hidden?: readonly number[];
  readonly seed: number;
  readonly name?: string;
  readonly scale?: OutputScale;
}

/**
 * DAFL's generator pattern for inputs that are not images (flattened pixels, tabular features):
 * linear -> BN -> LeakyReLU blocks, a linear output, tanh, and a batch norm without scale and shift.
 */
export function denseGenerator(options: DenseGeneratorOptions): Generator {
  const latentDim = options.latentDim ?? 32;
  const hidden = options.hidden ?? [64];
  const size = options.outputShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(latentDim) || latentDim < 1 || !(size >= 1) || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new ConfigError(
      `denseGenerator: latentDim ${latentDim}, hidden [${hidden.join(', ')}] and output shape [${options.outputShape.join(', ')}] must be positive integers`,
      'e.g. denseGenerator({ outputShape: [784], latentDim: 32, hidden: [256], seed: 1 })',
    );
  }
  const kernel = (layer: string) => tf.initializers.glorotUniform({ seed: deriveSeed(options.seed, `${layer}/kernel`) });
  const z = tf.input({ shape: [latentDim], name: 'g_z' });
  let x: tf.SymbolicTensor = z;
  hidden.forEach((units, i) => {
    x = tf.layers.dense({ name: `g_dense${i}`, units, kernelInitializer: kernel(`g_dense${i}`) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `g_bn${i}`, momentum: 0.9, epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ name: `g_act${i}`, alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.dense({ name: 'g_out', units: size, activation: 'tanh', kernelInitializer: kernel('g_out') }).apply(x) as tf.SymbolicTensor;
  const output = fixedBatchNorm('g_bn_out');
  x = output.apply(x) as tf.SymbolicTensor;
  freezeAffine(output);
  if (options.outputShape.length !== 1) x = tf.layers.reshape({ name: 'g_reshape', targetShape: [...options.outputShape] }).apply(x) as tf.SymbolicTensor;
  const name = options.name ?? 'dense-generator';
  return layersGenerator(tf.model({ inputs: z, outputs: x, name }), name, options.scale);
}
