import * as tf from '@tensorflow/tfjs';
import { ConfigError, requireHalfOpenUnit, requirePositiveInteger } from '@distillery/core';
import { fromLayersModel } from '../adapter/from-layers-model.js';
import { SeededDropout } from '../layers/seeded-dropout.js';
import { registerModelLayers } from '../layers/register.js';
import { deriveSeed } from '../seeds.js';
import type { LayersTrainableModel } from '../types.js';
import { DROPOUT_HINT, MODEL_OPTIONS_HINT, requireClasses, requireSeed, requireShape } from './checks.js';
import { seededKernel } from './init.js';

export interface MlpOptions {
  /** per-sample input shape; images such as [28, 28, 1] are flattened by the first layer */
  readonly inputShape?: readonly number[];
  /** shorthand for inputShape [inputSize] */
  readonly inputSize?: number;
  /** hidden layer widths, e.g. [1200, 1200] for Hinton's teacher, [800, 800] for its student */
  readonly hidden: readonly number[];
  readonly numClasses: number;
  /** dropout after every hidden layer (Hinton's teacher: 0.5) */
  readonly dropout?: number;
  /** dropout on the inputs (Hinton's teacher: 0.2) */
  readonly inputDropout?: number;
  /** max-norm bound on each hidden unit's incoming weight vector (Hinton et al. 2012 used 15) */
  readonly maxNorm?: number;
  readonly seed: number;
  readonly name?: string;
}

/**
 * A ReLU multilayer perceptron: [flatten] - [input dropout] - (dense - ReLU - [dropout]) x N - dense logits.
 * Taps "hidden1".."hiddenN" are the post-ReLU activations (before dropout). Max-norm is attached as a
 * tf constraint on the hidden kernels; call `applyConstraints()` after each optimiser step to enforce it.
 */
export function mlp(options: MlpOptions): LayersTrainableModel {
  const { hidden, numClasses, seed } = options;
  const inputShape = resolveInputShape(options);
  const name = options.name ?? `mlp-${hidden.join('-')}`;
  hidden.forEach((width, i) => requirePositiveInteger('mlp', `hidden[${i}]`, width, MODEL_OPTIONS_HINT));
  requireClasses(numClasses);
  requireSeed(seed);
  const dropout = options.dropout ?? 0;
  const inputDropout = options.inputDropout ?? 0;
  requireHalfOpenUnit('mlp', 'dropout', dropout, DROPOUT_HINT);
  requireHalfOpenUnit('mlp', 'inputDropout', inputDropout, DROPOUT_HINT);
  if (options.maxNorm !== undefined && !(options.maxNorm > 0)) {
    throw new ConfigError(`maxNorm must be > 0, got ${options.maxNorm}`, 'omit it for no constraint, or use e.g. 15');
  }
  registerModelLayers();

  const input = tf.input({ shape: [...inputShape], name: 'input' });
  let x: tf.SymbolicTensor = input;
  if (inputShape.length > 1) x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  if (inputDropout > 0) {
    x = new SeededDropout({ rate: inputDropout, seed: deriveSeed(seed, 'input_dropout'), name: 'input_dropout' }).apply(x) as tf.SymbolicTensor;
  }
  const taps: Record<string, string> = {};
  hidden.forEach((units, i) => {
    const layerName = `hidden${i + 1}`;
    x = tf.layers
      .dense({
        units,
        activation: 'relu',
        kernelInitializer: seededKernel(seed, layerName),
        // axis 0: the norm of each unit's incoming weights, as in Hinton et al. and Keras's default
        ...(options.maxNorm === undefined ? {} : { kernelConstraint: tf.constraints.maxNorm({ maxValue: options.maxNorm, axis: 0 }) }),
        name: layerName,
      })
      .apply(x) as tf.SymbolicTensor;
    taps[layerName] = layerName;
    if (dropout > 0) {
      const dropName = `dropout${i + 1}`;
      x = new SeededDropout({ rate: dropout, seed: deriveSeed(seed, dropName), name: dropName }).apply(x) as tf.SymbolicTensor;
    }
  });
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: seededKernel(seed, 'logits'), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  return fromLayersModel(tf.model({ inputs: input, outputs: logits, name }), { name, numClasses, taps });
}

function resolveInputShape(options: MlpOptions): readonly number[] {
  if (options.inputShape !== undefined && options.inputSize !== undefined) {
    const flat = options.inputShape.reduce((a, b) => a * b, 1);
    if (flat !== options.inputSize) {
      throw new ConfigError(`inputShape [${options.inputShape.join(', ')}] has ${flat} values but inputSize is ${options.inputSize}`, 'give only one of them');
    }
  }
  const shape = options.inputShape ?? (options.inputSize === undefined ? undefined : [options.inputSize]);
  if (shape === undefined) throw new ConfigError('mlp needs inputShape or inputSize', 'e.g. inputSize: 784 or inputShape: [28, 28, 1]');
  requireShape('inputShape', shape);
  return shape;
}
