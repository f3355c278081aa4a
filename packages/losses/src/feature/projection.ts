import * as tf from '@tensorflow/tfjs';
import { deriveSeed, lossRandom, normalValues, uniformValues } from './random.js';

/**
 * How a projection's kernel starts (biases start at 0 unless noted):
 * - 'glorot-uniform': U(+-sqrt(6 / (in + out))), tf.layers' Dense/Conv default (FitNets' regressor).
 * - 'he-normal-out': N(0, 2 / out), the overhaul connector's `normal_(0, sqrt(2 / (k*k*out)))` for k = 1.
 * - 'torch-linear': U(+-1 / sqrt(in)) for kernel and bias, PyTorch nn.Linear's default (CRD's Embed).
 */
export type ProjectionInit = 'glorot-uniform' | 'he-normal-out' | 'torch-linear';

/**
 * A learned linear map of the last axis: a dense layer on vectors [B, C] and, applied at every
 * position, a 1x1 convolution on NHWC maps [B, H, W, C]. Written as a matmul on [B*H*W, C] rather than
 * tf.conv2d: the same numbers, and its gradient exists on every backend (wasm lacks Conv2DBackpropFilter).
 */
export class Projection {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  private constructor(kernel: tf.Variable, bias: tf.Variable) {
    this.kernel = kernel;
    this.bias = bias;
  }

  /** Seeded from (seed, label), so every projection of a loss gets its own values. */
  static create(inputs: number, outputs: number, init: ProjectionInit, seed: number, label: string): Projection {
    const random = lossRandom(deriveSeed(seed, label));
    let kernelValues: Float32Array;
    let biasValues: Float32Array;
    switch (init) {
      case 'glorot-uniform': {
        const limit = Math.sqrt(6 / (inputs + outputs));
        kernelValues = uniformValues(inputs * outputs, -limit, limit, random);
        biasValues = new Float32Array(outputs);
        break;
      }
      case 'he-normal-out':
        kernelValues = normalValues(inputs * outputs, Math.sqrt(2 / outputs), random);
        biasValues = new Float32Array(outputs);
        break;
      case 'torch-linear': {
        const bound = 1 / Math.sqrt(inputs);
        kernelValues = uniformValues(inputs * outputs, -bound, bound, random);
        biasValues = uniformValues(outputs, -bound, bound, random);
        break;
      }
    }
    // tidy releases the initial tensors; the variables keep their data
    const kernel = tf.tidy(() => tf.variable(tf.tensor2d(kernelValues, [inputs, outputs]), true));
    const bias = tf.tidy(() => tf.variable(tf.tensor1d(biasValues), true));
    return new Projection(kernel, bias);
  }

  get inputs(): number {
    return this.kernel.shape[0] as number;
  }

  get outputs(): number {
    return this.kernel.shape[1] as number;
  }

  /** x [..., inputs] -> [..., outputs] */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const rows = tf.reshape(x, [-1, this.inputs]);
      const projected = tf.add(tf.matMul(rows, this.kernel), this.bias);
      return tf.reshape(projected, [...lead, this.outputs]);
    });
  }

  variables(prefix: string): Record<string, tf.Variable> {
    return { [`${prefix}/kernel`]: this.kernel, [`${prefix}/bias`]: this.bias };
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
