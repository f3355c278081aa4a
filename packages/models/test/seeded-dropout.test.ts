import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromLayersModel, mlp, registerModelLayers, SeededDropout } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input [n] -> SeededDropout -> dense identity-ish logits, so the mask is visible in the tap. */
function dropoutModel(seed: number, rate = 0.5, n = 64): ReturnType<typeof fromLayersModel> {
  const input = tf.input({ shape: [n] });
  const dropped = new SeededDropout({ rate, seed, name: 'drop' }).apply(input) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 2, kernelInitializer: 'ones', name: 'logits' }).apply(dropped) as tf.SymbolicTensor;
  return fromLayersModel(tf.model({ inputs: input, outputs: logits }), { name: 'drop', taps: { dropped: 'drop' } });
}

const masked = (model: ReturnType<typeof fromLayersModel>, training: boolean): number[] =>
  (model.forward(tf.ones([1, 64]), { training }).features['dropped']!.arraySync() as number[][])[0]!;

describe('SeededDropout', () => {
  it('drops with inverted scaling during training and is the identity at inference', () => {
    const model = dropoutModel(11, 0.25);
    const values = masked(model, true);
    // kept units are scaled by 1 / (1 - rate); dropped ones are 0
    expect(new Set(values.map((v) => Math.round(v * 1e5) / 1e5))).toEqual(new Set([0, Math.round(1e5 / 0.75) / 1e5]));
    const kept = values.filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(32);
    expect(kept).toBeLessThan(64);
    expect(masked(model, false)).toEqual(new Array<number>(64).fill(1));
    model.dispose();
  });

  it('draws a new mask on every training call', () => {
    const model = dropoutModel(3);
    const first = masked(model, true);
    const second = masked(model, true);
    expect(first).not.toEqual(second);
    // an inference call does not advance the sequence
    masked(model, false);
    const third = masked(model, true);
    expect(third).not.toEqual(first);
    expect(third).not.toEqual(second);
    model.dispose();
  });

  it('reproduces the same mask sequence from the same seed, and another from another seed', () => {
    const a = dropoutModel(5);
    const b = dropoutModel(5);
    const c = dropoutModel(6);
    const seqA = [masked(a, true), masked(a, true), masked(a, true)];
    const seqB = [masked(b, true), masked(b, true), masked(b, true)];
    const seqC = [masked(c, true), masked(c, true), masked(c, true)];
    expect(seqB).toEqual(seqA);
    expect(seqC).not.toEqual(seqA);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('keeps its call count in a non-trainable weight, so restoring state resumes the mask sequence', () => {
    const run = dropoutModel(9);
    masked(run, true);
    masked(run, true);
    const saved = tf.tidy(() => Object.fromEntries(Object.entries(run.stateVariables()).map(([k, v]) => [k, tf.keep(v.clone())])));
    expect(saved['drop/calls']!.arraySync()).toBe(2);
    expect(run.trainableVariables()).toHaveLength(2);
    const third = masked(run, true);

    // a fresh build restored from the saved state (as a checkpoint would) continues at call 2
    const resumed = dropoutModel(9);
    for (const [key, variable] of Object.entries(resumed.stateVariables())) variable.assign(saved[key]!);
    expect(masked(resumed, true)).toEqual(third);
    expect(resumed.stateVariables()['drop/calls']!.arraySync()).toBe(3);
    [run, resumed].forEach((m) => m.dispose());
  });

  it('gives gradients through the kept units only, with the mask of that very call', () => {
    const model = dropoutModel(4);
    const x = tf.ones([1, 64]);
    let dropped: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      const out = model.forward(x, { training: true });
      dropped = tf.keep(out.features['dropped']!);
      return tf.sum(out.logits) as tf.Scalar;
    }, model.trainableVariables());
    // logits_j = sum_i dropped_i * kernel_ij + bias_j, so dSum/dKernel_ij = dropped_i (0 or 1 / 0.5)
    const kernelGrad = grads[model.trainableVariables()[0]!.name]!.arraySync() as number[][];
    const values = (dropped!.arraySync() as number[][])[0]!;
    expect(kernelGrad.map((row) => row[0])).toEqual(values);
    expect(kernelGrad.map((row) => row[1])).toEqual(values);
    expect(new Set(values)).toEqual(new Set([0, 2]));
    model.dispose();
  });

  it('rejects a rate outside [0, 1) and serialises its config', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow(ConfigError);
    const layer = new SeededDropout({ rate: 0.3, seed: 42, name: 'd' });
    expect(layer.getConfig()).toMatchObject({ rate: 0.3, seed: 42, name: 'd' });
  });

  it('survives a save/load round trip once registered (in-memory handler)', async () => {
    registerModelLayers();
    const model = mlp({ inputSize: 8, hidden: [6], numClasses: 3, dropout: 0.5, inputDropout: 0.2, seed: 1 });
    model.forward(tf.ones([2, 8]), { training: true });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.layersModel.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const restored = fromLayersModel(loaded, { name: 'restored' });
    const x = tf.randomNormal([3, 8], 0, 1, 'float32', 7);
    expect(restored.predictLogits(x).arraySync()).toEqual(model.predictLogits(x).arraySync());
    expect(restored.stateVariables()['dropout1/calls']!.arraySync()).toBe(1);
    expect(restored.forward(x, { training: true }).logits.arraySync()).toEqual(model.forward(x, { training: true }).logits.arraySync());
    [model, restored].forEach((m) => m.dispose());
  });
});
