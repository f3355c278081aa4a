import * as tf from '@tensorflow/tfjs';
import { ConfigError, InputShapeError, type ForwardOptions } from '@distillery/core';
import type { Generator } from './generator.js';

/** The tf.Variable behind a layer weight (`read()` is typed as Tensor but returns the variable). */
function variableOf(weight: tf.LayerVariable): tf.Variable {
  const value = weight.read();
  if (!(value instanceof tf.Variable)) throw new TypeError(`weight ${weight.name} is not backed by a tf.Variable`);
  return value;
}

export interface OutputScale {
  /** added after the network: x = mean + std * G(z) */
  readonly mean: number;
  readonly std: number;
}

/**
 * Wraps a tf.LayersModel (one input [batch, latentDim], one output [batch, ...outputShape]) as a
 * Generator. Weights are keyed by their layer-scoped names ("g_dense/kernel"), which stay the same in
 * every instance built with the same layer names, so checkpoints of one run load into another.
 *
 * `scale` maps the network's standardised output into the teacher's input space: DAFL's generator ends in a
 * batch norm without affine terms, i.e. images with zero mean and unit variance, which is the space of a
 * teacher trained on normalised data. A teacher trained on pixels in [0, 1] needs mean/std of that data
 * (MNIST: 0.1307 / 0.3081). The generator takes ownership of `model`.
 */
export function layersGenerator(model: tf.LayersModel, name: string, scale: OutputScale = { mean: 0, std: 1 }): Generator {
  const input = model.inputs[0];
  const output = model.outputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !input || !output) {
    throw new ConfigError(`generator "${name}" must have one input and one output`, 'build it as tf.model({ inputs: z, outputs: images })');
  }
  const latentDim = input.shape[1];
  if (input.shape.length !== 2 || typeof latentDim !== 'number') {
    throw new ConfigError(`generator "${name}" input must be [batch, latentDim], got [${input.shape.join(', ')}]`, 'feed a flat latent code');
  }
  const outputShape = output.shape.slice(1).map((d) => d ?? -1);
  if (outputShape.some((d) => d < 1)) throw new InputShapeError(`generator "${name}" output (fully defined)`, outputShape.map(Math.abs), outputShape);
  if (!(scale.std > 0) || !Number.isFinite(scale.mean)) {
    throw new ConfigError(`generator "${name}": output std must be > 0 and mean finite, got ${scale.std} / ${scale.mean}`, 'pass the statistics of the data the teacher was trained on');
  }
  const scoped = new Set(model.weights.map((w) => w.originalName));
  const useScoped = scoped.size === model.weights.length;
  const affine = scale.mean !== 0 || scale.std !== 1;
  let disposed = false;

  return {
    name,
    latentDim,
    outputShape,
    generate(z: tf.Tensor2D, options: ForwardOptions): tf.Tensor {
      if (disposed) throw new ConfigError(`generator "${name}" was disposed`, 'build a new generator');
      if (z.rank !== 2 || z.shape[1] !== latentDim) throw new InputShapeError(`generator "${name}" latent code`, [latentDim], z.shape.slice(1));
      return tf.tidy(() => {
        const raw = model.apply(z, { training: options.training }) as tf.Tensor;
        return affine ? tf.add(tf.mul(raw, scale.std), scale.mean) : raw;
      });
    },
    trainableVariables: () => model.trainableWeights.map(variableOf),
    stateVariables: () => {
      const result: Record<string, tf.Variable> = {};
      for (const weight of model.weights) result[useScoped ? weight.originalName : weight.name] = variableOf(weight);
      return result;
    },
    countParams: () => model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 0), 1), 0),
    dispose(): void {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
