import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions, ModelOutputs, Teacher, TeacherAccess, TrainableModel } from '@distillery/core';
import { normalArray } from './random.js';

export interface TinyDenseModelOptions {
  readonly inputSize: number;
  readonly numClasses: number;
  /** hidden layer widths; each exposes its ReLU output as feature "hidden<i>" */
  readonly hidden?: readonly number[];
  readonly seed?: number;
  readonly name?: string;
}

interface DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * A dense ReLU network built from tf.variables (no tf.layers), seeded and backend-independent:
 * a TrainableModel for plugin tests that must not depend on @distillery/models.
 */
export function tinyDenseModel(options: TinyDenseModelOptions): TrainableModel {
  const name = options.name ?? 'tiny-dense';
  const seed = options.seed ?? 0;
  const widths = [options.inputSize, ...(options.hidden ?? [8]), options.numClasses];
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const fanIn = widths[i] as number;
    const fanOut = widths[i + 1] as number;
    // He-normal initialisation, from the seeded JS generator so every backend starts identically.
    // tidy releases the initial values; variables survive it
    const kernel = tf.tidy(() => tf.variable(tf.tensor2d(normalArray(fanIn * fanOut, seed * 7919 + i, Math.sqrt(2 / fanIn)), [fanIn, fanOut])));
    const bias = tf.tidy(() => tf.variable(tf.zeros([fanOut])));
    layers.push({ kernel, bias });
  }
  const hiddenCount = layers.length - 1;
  const featureNames = Array.from({ length: hiddenCount }, (_, i) => `hidden${i}`);

  const forward = (x: tf.Tensor, _options: ForwardOptions): ModelOutputs => {
    const features: Record<string, tf.Tensor> = {};
    let h = x as tf.Tensor2D;
    layers.forEach((layer, i) => {
      const z = tf.add(tf.matMul(h, layer.kernel), layer.bias) as tf.Tensor2D;
      if (i < hiddenCount) {
        h = tf.relu(z);
        features[`hidden${i}`] = h;
      } else {
        h = z;
      }
    });
    return { logits: h, features };
  };

  const variables = layers.flatMap((layer) => [layer.kernel, layer.bias]);
  return {
    name,
    numClasses: options.numClasses,
    inputShape: [options.inputSize],
    featureNames,
    forward,
    predictLogits: (x) => tf.tidy(() => forward(x, { training: false }).logits),
    trainableVariables: () => [...variables],
    stateVariables: () => {
      const state: Record<string, tf.Variable> = {};
      layers.forEach((layer, i) => {
        state[`${name}/dense${i}/kernel`] = layer.kernel;
        state[`${name}/dense${i}/bias`] = layer.bias;
      });
      return state;
    },
    countParams: () => variables.reduce((n, v) => n + v.size, 0),
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}

/**
 * Wraps a model as a frozen Teacher. A black-box teacher reports log-probabilities as logits and no
 * features, as core's Teacher contract says.
 */
export function tinyTeacher(model: TrainableModel, access: TeacherAccess = 'white-box'): Teacher {
  return {
    name: `${model.name}-teacher`,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    access,
    featureNames: access === 'white-box' ? model.featureNames : [],
    forward: (x) =>
      // ModelOutputs is a nested tensor container; tidy keeps every tensor in it
      tf.tidy(() => {
        const outputs = model.forward(x, { training: false });
        const result = access === 'white-box' ? outputs : { logits: tf.logSoftmax(outputs.logits) as tf.Tensor2D, features: {} };
        return result as unknown as tf.TensorContainer;
      }) as unknown as ModelOutputs,
    predictLogits: (x) =>
      tf.tidy(() => {
        const logits = model.forward(x, { training: false }).logits;
        return access === 'white-box' ? logits : (tf.logSoftmax(logits) as tf.Tensor2D);
      }),
  };
}
