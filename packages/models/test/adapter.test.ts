import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError, InputShapeError, MissingFeatureError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromLayersModel } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 4 -> dense(3, relu) "h" -> batch-norm "bn" -> dense(2) "out"; deterministic weights. */
function smallModel(options: { finalActivation?: 'softmax' | 'linear' } = {}): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'ones', name: 'h' }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: options.finalActivation ?? 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'out' }).apply(bn) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const batch = (): tf.Tensor2D => tf.tensor2d([[0.5, -1, 2, 0.1], [1, 1, -0.5, 0.3], [-2, 0.4, 0.2, 1]]);

describe('fromLayersModel', () => {
  it('exposes logits and taps with the shapes of the layers, sharing the original variables', () => {
    const layers = smallModel();
    const model = fromLayersModel(layers, { name: 'small', numClasses: 2, taps: { hidden: 'h', normed: 'bn' } });
    expect(model.inputShape).toEqual([4]);
    expect(model.numClasses).toBe(2);
    expect(model.featureNames).toEqual(['hidden', 'normed']);
    expect(model.featureShapes).toEqual({ hidden: [3], normed: [3] });

    const out = model.forward(batch(), { training: false });
    expect(out.logits.shape).toEqual([3, 2]);
    expect(out.features['hidden']?.shape).toEqual([3, 3]);
    // the tap is the dense layer's own (post-ReLU) output
    const hidden = out.features['hidden']!.arraySync() as number[][];
    const direct = (tf.model({ inputs: layers.inputs, outputs: layers.getLayer('h').output as tf.SymbolicTensor }).predict(batch()) as tf.Tensor).arraySync();
    expect(hidden).toEqual(direct);
    expect(out.logits.arraySync()).toEqual((layers.predict(batch()) as tf.Tensor).arraySync());
    expect(model.predictLogits(batch()).arraySync()).toEqual(out.logits.arraySync());

    // trainable: 2 kernels + 2 biases + gamma + beta; state adds moving mean/variance
    expect(model.trainableVariables()).toHaveLength(6);
    expect(model.trainableVariables().every((v) => v instanceof tf.Variable)).toBe(true);
    expect(Object.keys(model.stateVariables()).sort()).toEqual(
      ['bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance', 'h/bias', 'h/kernel', 'out/bias', 'out/kernel'],
    );
    // 4*3+3 + 3+3 + 3*2+2
    expect(model.countParams()).toBe(29);
    // the variables are the very objects inside the user's model: writing one changes its predictions
    const kernel = model.stateVariables()['out/kernel']!;
    expect(kernel).toBe(layers.getLayer('out').weights[0]!.read());
    kernel.assign(tf.zeros(kernel.shape));
    expect((layers.predict(batch()) as tf.Tensor).arraySync()).toEqual([[0, 0], [0, 0], [0, 0]]);
    model.dispose();
  });

  it('accepts a tf.Sequential model', () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', name: 'seq_h' }),
        tf.layers.dense({ units: 3, name: 'seq_out' }),
      ],
    });
    const model = fromLayersModel(seq, { name: 'seq', taps: { h: 'seq_h' } });
    const out = model.forward(batch(), { training: true });
    expect(model.numClasses).toBe(3);
    expect(out.features['h']?.shape).toEqual([3, 5]);
    expect(model.countParams()).toBe(4 * 5 + 5 + 5 * 3 + 3);
    model.dispose();
  });

  it('gives gradients for every trainable variable inside tf.variableGrads, matching finite differences', () => {
    const model = fromLayersModel(smallModel(), { name: 'small', taps: { hidden: 'h' } });
    const x = batch();
    const labels = tf.oneHot(tf.tensor1d([0, 1, 1], 'int32'), 2);
    const loss = (): tf.Scalar => {
      const out = model.forward(x, { training: false });
      // a feature term too, so gradients must also flow through the tap output
      return tf.add(tf.losses.softmaxCrossEntropy(labels, out.logits), tf.mul(0.1, tf.sum(tf.square(out.features['hidden']!)))) as tf.Scalar;
    };
    const variables = model.trainableVariables();
    const { value, grads } = tf.variableGrads(loss, variables);
    expect(Object.keys(grads)).toHaveLength(variables.length);
    for (const variable of variables) expect(grads[variable.name]?.shape).toEqual(variable.shape);

    // central differences on the hidden bias (first trainable variable after the kernel)
    const bias = variables.find((v) => v.name.includes('h/bias'))!;
    const analytic = grads[bias.name]!.arraySync() as number[];
    const original = bias.arraySync() as number[];
    const eps = 1e-2;
    original.forEach((_, i) => {
      const at = (delta: number): number => {
        bias.assign(tf.tensor1d(original.map((v, j) => (j === i ? v + delta : v))));
        return loss().arraySync();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(analytic[i]).toBeCloseTo(numeric, 2);
    });
    bias.assign(tf.tensor1d(original));
    expect(Number.isFinite(value.arraySync())).toBe(true);
    model.dispose();
  });

  it('updates batch-norm moving statistics in training mode only', () => {
    const model = fromLayersModel(smallModel(), { name: 'small' });
    const mean = (): number[] => model.stateVariables()['bn/moving_mean']!.arraySync() as number[];
    model.forward(batch(), { training: false });
    expect(mean()).toEqual([0, 0, 0]);
    const before = model.forward(batch(), { training: false }).logits.arraySync();
    model.forward(batch(), { training: true });
    // tfjs default momentum 0.99: moving_mean = 0.01 * batch mean of the ReLU outputs (all >= 0)
    const hidden = (tf.model({ inputs: model.layersModel.inputs, outputs: model.layersModel.getLayer('h').output as tf.SymbolicTensor }).predict(batch()) as tf.Tensor2D);
    const expected = (tf.mul(0.01, tf.mean(hidden, 0)).arraySync() as number[]);
    mean().forEach((m, i) => expect(m).toBeCloseTo(expected[i]!, 6));
    expect(model.forward(batch(), { training: false }).logits.arraySync()).not.toEqual(before);
    model.dispose();
  });

  it('refuses a model that ends in softmax, in any of its forms', () => {
    expect(() => fromLayersModel(smallModel({ finalActivation: 'softmax' }), { name: 'soft' })).toThrow(ConfigError);
    expect(() => fromLayersModel(smallModel({ finalActivation: 'softmax' }), { name: 'soft' })).toThrow(/remove the softmax/);
    const input = tf.input({ shape: [4] });
    const dense = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const viaActivation = tf.layers.activation({ activation: 'softmax' }).apply(dense) as tf.SymbolicTensor;
    expect(() => fromLayersModel(tf.model({ inputs: input, outputs: viaActivation }), { name: 'a' })).toThrow(ConfigError);
    const viaSoftmax = tf.layers.softmax().apply(dense) as tf.SymbolicTensor;
    expect(() => fromLayersModel(tf.model({ inputs: input, outputs: viaSoftmax }), { name: 'b' })).toThrow(ConfigError);
  });

  it('raises MissingFeatureError for a tap on an unknown layer, listing the layers', () => {
    const error = (() => {
      try {
        fromLayersModel(smallModel(), { name: 'small', taps: { deep: 'no_such_layer' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MissingFeatureError);
    expect((error as MissingFeatureError).code).toBe('FEATURE_MISSING');
    expect((error as Error).message).toContain('no_such_layer');
    expect((error as Error).message).toContain('available: input');
  });

  it('checks the class count and the input shape', () => {
    expect(() => fromLayersModel(smallModel(), { name: 'small', numClasses: 10 })).toThrow(ClassCountMismatchError);
    const model = fromLayersModel(smallModel(), { name: 'small' });
    expect(() => model.forward(tf.zeros([2, 5]), { training: false })).toThrow(InputShapeError);
    expect(() => model.predictLogits(tf.zeros([4]))).toThrow(InputShapeError);
    const image = tf.input({ shape: [2, 2] });
    const notFlat = tf.layers.dense({ units: 3 }).apply(image) as tf.SymbolicTensor;
    expect(() => fromLayersModel(tf.model({ inputs: image, outputs: notFlat }), { name: 'c' })).toThrow(/not \[batch, classes\]/);
    model.dispose();
    expect(() => model.predictLogits(batch())).toThrow(/disposed/);
  });

  it('frees every weight on dispose and tolerates a second dispose', () => {
    const before = tf.memory().numTensors;
    const model = fromLayersModel(smallModel(), { name: 'small', taps: { hidden: 'h' } });
    expect(tf.memory().numTensors - before).toBe(8);
    model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
