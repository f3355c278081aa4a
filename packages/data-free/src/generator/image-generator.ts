import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { deriveSeed } from '@distillery/models';
import { fixedBatchNorm, freezeAffine } from './fixed-batch-norm.js';
import type { Generator } from './generator.js';
import { NearestUpsample2x, registerGeneratorLayers } from './nearest-upsample.js';
import { layersGenerator, type OutputScale } from './layers-generator.js';

/**
 * Batch-norm epsilons of the three affine batch norms. DAFL's code passes 0.8 as the second argument of
 * `nn.BatchNorm2d(128, 0.8)`, which is eps (not momentum) in PyTorch; DFAD's GeneratorA uses the default 1e-5.
 */
export type ImageGeneratorPreset = 'dafl' | 'dfad';
const EPSILONS: Readonly<Record<ImageGeneratorPreset, readonly [number, number, number]>> = {
  dafl: [1e-5, 0.8, 0.8],
  dfad: [1e-5, 1e-5, 1e-5],
};

export interface ImageGeneratorOptions {
  /** [height, width, channels]; height and width divisible by 4 (DAFL: [32, 32, 1] for MNIST) */
  readonly outputShape: readonly number[];
  /** DAFL: 100 */
  readonly latentDim?: number;
  /** channels after the linear layer and the first conv (DAFL: 128); the second conv has half */
  readonly width?: number;
  readonly preset?: ImageGeneratorPreset;
  readonly seed: number;
  readonly name?: string;
  /** maps the standardised output into the teacher's input space (see layersGenerator) */
  readonly scale?: OutputScale;
}

/**
 * DAFL's generator (Chen et al. 2019; DFAD's GeneratorA is the same network): z -> linear ->
 * [H/4, W/4, width] -> BN -> nearest upsample x2 (NearestUpsample2x, see there) -> conv3x3(width) -> BN -> LeakyReLU(0.2) -> upsample x2 ->
 * conv3x3(width/2) -> BN -> LeakyReLU(0.2) -> conv3x3(channels) -> tanh -> BN without scale and shift.
 * Channels-last (tfjs); batch-norm momentum 0.9 is PyTorch's 0.1. Kernels are glorot-uniform, seeded per
 * layer (PyTorch uses kaiming-uniform with a = sqrt(5): the same family, a different scale).
 */
export function imageGenerator(options: ImageGeneratorOptions): Generator {
  const [height, width, channels] = options.outputShape;
  if (options.outputShape.length !== 3 || !height || !width || !channels || height % 4 !== 0 || width % 4 !== 0) {
    throw new ConfigError(
      `imageGenerator needs an output shape [height, width, channels] with height and width divisible by 4, got [${options.outputShape.join(', ')}]`,
      'pad the images (e.g. MNIST to 32x32) or use denseGenerator for flat inputs',
    );
  }
  const latentDim = options.latentDim ?? 100;
  const filters = options.width ?? 128;
  const preset = options.preset ?? 'dafl';
  const epsilons = EPSILONS[preset];
  if (!epsilons) throw new ConfigError(`unknown image generator preset "${String(preset)}"`, 'use "dafl" or "dfad"');
  if (!Number.isInteger(latentDim) || latentDim < 1 || !Number.isInteger(filters) || filters < 2) {
    throw new ConfigError(`imageGenerator: latentDim and width must be positive integers (width >= 2), got ${latentDim} / ${filters}`, 'DAFL uses latentDim 100, width 128');
  }
  const { seed } = options;
  const kernel = (layer: string) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, `${layer}/kernel`) });
  const bn = (layer: string, epsilon: number) => tf.layers.batchNormalization({ name: layer, momentum: 0.9, epsilon });
  const conv = (layer: string, count: number, activation: 'linear' | 'tanh' = 'linear') =>
    tf.layers.conv2d({ name: layer, filters: count, kernelSize: 3, padding: 'same', activation, kernelInitializer: kernel(layer) });
  const leaky = (layer: string) => tf.layers.leakyReLU({ name: layer, alpha: 0.2 });
  registerGeneratorLayers();
  const up = (layer: string) => new NearestUpsample2x({ name: layer });

  const z = tf.input({ shape: [latentDim], name: 'g_z' });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;
  let x = apply(tf.layers.dense({ name: 'g_linear', units: filters * (height / 4) * (width / 4), kernelInitializer: kernel('g_linear') }), z);
  x = apply(tf.layers.reshape({ name: 'g_reshape', targetShape: [height / 4, width / 4, filters] }), x);
  x = apply(bn('g_bn0', epsilons[0]), x);
  x = apply(up('g_up1'), x);
  x = apply(leaky('g_act1'), apply(bn('g_bn1', epsilons[1]), apply(conv('g_conv1', filters), x)));
  x = apply(up('g_up2'), x);
  x = apply(leaky('g_act2'), apply(bn('g_bn2', epsilons[2]), apply(conv('g_conv2', filters / 2), x)));
  x = apply(conv('g_conv3', channels, 'tanh'), x);
  const output = fixedBatchNorm('g_bn_out');
  x = apply(output, x);
  freezeAffine(output);
  const name = options.name ?? `${preset}-generator`;
  return layersGenerator(tf.model({ inputs: z, outputs: x, name }), name, options.scale);
}
