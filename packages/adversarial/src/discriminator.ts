import * as tf from '@tensorflow/tfjs';
import { ConfigError, InputShapeError, mulberry32, requireHalfOpenUnit, requirePositiveInteger } from '@distillery/core';

/**
 * A binary critic that scores rows of a [batch, inputSize] matrix: high for "teacher", low for
 * "student". Scores are raw (logits for the logistic GAN losses, regression outputs for least squares).
 */
export interface Discriminator {
  readonly name: string;
  readonly inputSize: number;
  /** scores [batch]; differentiable w.r.t. both the input and the discriminator's variables */
  apply(input: tf.Tensor2D): tf.Tensor1D;
  trainableVariables(): tf.Variable[];
  /** every variable by a stable name, for checkpoints */
  stateVariables(): Record<string, tf.Variable>;
  countParams(): number;
  dispose(): void;
}

export interface MlpDiscriminatorOptions {
  readonly inputSize: number;
  /** hidden widths; default [64, 64] */
  readonly hidden?: readonly number[];
  /** negative slope of the leaky ReLU between layers; default 0.2 (the DCGAN choice) */
  readonly leakySlope?: number;
  readonly seed: number;
  readonly name?: string;
}

export const MLP_DISCRIMINATOR_DEFAULTS = { hidden: [64, 64], leakySlope: 0.2 } as const;

/** Salt of the discriminator's initial weights in core's mulberry32 stream ("disc" in ASCII). */
const INIT_SALT = 0x64697363;

interface Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/** Kernel [fanIn, fanOut] with He-normal values for a leaky ReLU, from a seeded JS generator (the same on every backend). */
function seededKernel(fanIn: number, fanOut: number, seed: number, layer: number, slope: number): tf.Variable {
  const random = mulberry32(seed * 7919 + layer, INIT_SALT);
  const scale = Math.sqrt(2 / ((1 + slope * slope) * fanIn));
  const values = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * scale;
  return tf.tidy(() => tf.variable(tf.tensor2d(values, [fanIn, fanOut])));
}

/**
 * A small MLP discriminator (dense - leaky ReLU)* - dense(1), built from tf.variables: seeded,
 * backend-independent, and small next to the networks it judges.
 */
export function mlpDiscriminator(options: MlpDiscriminatorOptions): Discriminator {
  const name = options.name ?? 'discriminator';
  const hidden = options.hidden ?? MLP_DISCRIMINATOR_DEFAULTS.hidden;
  const slope = options.leakySlope ?? MLP_DISCRIMINATOR_DEFAULTS.leakySlope;
  const { inputSize, seed } = options;
  requirePositiveInteger(name, 'inputSize', inputSize, 'the input width follows from the discriminator input options');
  hidden.forEach((width, i) => requirePositiveInteger(name, `hidden[${i}]`, width, 'e.g. hidden: [64, 64]'));
  requireHalfOpenUnit(name, 'leakySlope', slope, '0.2 is the usual choice; 0 gives a plain ReLU');
  if (!Number.isInteger(seed)) throw new ConfigError(`${name}: seed must be an integer, got ${seed}`, 'pass a whole number');

  const widths = [inputSize, ...hidden, 1];
  const layers: Dense[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const kernel = seededKernel(widths[i] as number, widths[i + 1] as number, seed, i, slope);
    const bias = tf.tidy(() => tf.variable(tf.zeros([widths[i + 1] as number])));
    layers.push({ kernel, bias });
  }
  const variables = layers.flatMap((l) => [l.kernel, l.bias]);
  let disposed = false;

  return {
    name,
    inputSize,
    apply(input: tf.Tensor2D): tf.Tensor1D {
      if (disposed) throw new ConfigError(`${name} was disposed`, 'build a new discriminator');
      if (input.rank !== 2 || input.shape[1] !== inputSize) {
        throw new InputShapeError(`discriminator "${name}" (-1 = any batch size)`, [-1, inputSize], input.shape);
      }
      return tf.tidy(() => {
        let h: tf.Tensor2D = input;
        layers.forEach((layer, i) => {
          const z = tf.add(tf.matMul(h, layer.kernel), layer.bias) as tf.Tensor2D;
          h = i + 1 < layers.length ? (tf.leakyRelu(z, slope) as tf.Tensor2D) : z;
        });
        return tf.reshape(h, [-1]) as tf.Tensor1D;
      });
    },
    trainableVariables: () => [...variables],
    stateVariables: () => {
      const state: Record<string, tf.Variable> = {};
      layers.forEach((layer, i) => {
        state[`dense${i}/kernel`] = layer.kernel;
        state[`dense${i}/bias`] = layer.bias;
      });
      return state;
    },
    countParams: () => variables.reduce((n, v) => n + v.size, 0),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      tf.dispose(variables);
    },
  };
}
