import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { fromLayersModel } from '../adapter/from-layers-model.js';
import type { LayersTrainableModel } from '../types.js';
import { requireClasses, requireSeed, requireShape } from './checks.js';
import { seededKernel } from './init.js';
import { PLAIN_CNN_PLANS, parsePlan } from './plain-cnn-plans.js';
import type { PlainCnnDepth, PlainCnnPlanName } from './plain-cnn-plans.js';

export interface PlainCnnOptions {
  readonly depth: PlainCnnDepth;
  /** per-sample input shape [height, width, channels], e.g. [32, 32, 3] */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly seed: number;
  /** which official channel plan; default 'cifar10' (the paper's CIFAR-10 networks) */
  readonly plan?: PlainCnnPlanName;
  readonly name?: string;
}

/** PyTorch's BatchNorm2d defaults (momentum 0.1 there is 0.9 here, eps 1e-5) to match the reference code. */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

/**
 * The teacher-assistant paper's plain CNNs (Mirzadeh et al. 2020), built from the official plans in
 * `PLAIN_CNN_PLANS`: conv3x3('same') - batch-norm - ReLU blocks with 2x2 max-pools, flatten, FC layers.
 * Depth 2 is Conv16-MP-Conv16-MP-FC. Taps "conv1".."convK" are each block's post-ReLU output (before
 * any pooling), "fc1".. the post-ReLU hidden FC layers (depths 8 and 10).
 */
export function plainCnn(options: PlainCnnOptions): LayersTrainableModel {
  const { depth, inputShape, numClasses, seed } = options;
  const planName = options.plan ?? 'cifar10';
  const plan = PLAIN_CNN_PLANS[planName]?.[depth];
  if (plan === undefined) {
    throw new ConfigError(`no plain CNN of depth ${String(depth)} in plan "${String(planName)}"`, 'use depth 2, 4, 6, 8 or 10 and plan "cifar10" or "cifar100"');
  }
  requireShape('inputShape', inputShape);
  if (inputShape.length !== 3) {
    throw new ConfigError(`plainCnn needs an image input [height, width, channels], got [${inputShape.join(', ')}]`, 'e.g. [32, 32, 3] for CIFAR-10');
  }
  requireClasses(numClasses);
  requireSeed(seed);
  const name = options.name ?? `plain-cnn-${depth}`;

  const steps = parsePlan(plan);
  const lastFc = steps.map((s) => s.kind).lastIndexOf('fc');
  const input = tf.input({ shape: [...inputShape], name: 'input' });
  let x: tf.SymbolicTensor = input;
  let convs = 0;
  let pools = 0;
  let fcs = 0;
  let flat = false;
  const taps: Record<string, string> = {};
  steps.forEach((step, i) => {
    if (step.kind === 'conv') {
      convs += 1;
      const conv = `conv${convs}`;
      x = tf.layers.conv2d({ filters: step.filters, kernelSize: 3, padding: 'same', kernelInitializer: seededKernel(seed, conv), name: conv }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization({ momentum: BN_MOMENTUM, epsilon: BN_EPSILON, name: `bn${convs}` }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.activation({ activation: 'relu', name: `relu${convs}` }).apply(x) as tf.SymbolicTensor;
      taps[conv] = `relu${convs}`;
    } else if (step.kind === 'pool') {
      pools += 1;
      x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${pools}` }).apply(x) as tf.SymbolicTensor;
    } else {
      if (!flat) {
        x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
        flat = true;
      }
      const isLast = i === lastFc;
      const layerName = isLast ? 'logits' : `fc${(fcs += 1)}`;
      x = tf.layers
        .dense({ units: isLast ? numClasses : step.units, activation: isLast ? 'linear' : 'relu', kernelInitializer: seededKernel(seed, layerName), name: layerName })
        .apply(x) as tf.SymbolicTensor;
      if (!isLast) taps[layerName] = layerName;
    }
  });
  return fromLayersModel(tf.model({ inputs: input, outputs: x, name }), { name, numClasses, taps });
}
