import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, MissingFeatureError, Trainer, type TrainableModel } from '@distillery/core';
import { fromLayersModel, mlp } from '@distillery/models';
import { useBackend } from '@distillery/testkit';
import { beYourOwnTeacher } from '../src/index.js';
import { ADAM, PROGRESS, SGD, backbone, blobs, contextFor, crossEntropyOf, firstBatch, kl, mean, releaseBatch, softmax } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** a small conv backbone on 8x8x1 inputs: conv1 [8, 8, 4] and fc [6] (the deepest) */
function convBackbone(): TrainableModel {
  const input = tf.input({ shape: [8, 8, 1] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
  const fc = tf.layers.dense({ units: 6, activation: 'relu', name: 'fc', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(flat) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(fc) as tf.SymbolicTensor;
  return fromLayersModel(tf.model({ inputs: input, outputs: logits }), { name: 'conv-backbone', taps: { conv1: 'conv1', fc: 'fc' } });
}

async function rows(tensor: tf.Tensor): Promise<number[][]> {
  return (await tensor.array()) as number[][];
}

describe('byot heads', () => {
  it('attaches one head per tap with [batch, classes] logits and [batch, deepest width] bottlenecks', async () => {
    const dataset = blobs(1);
    const model = backbone(1);
    const scheme = beYourOwnTeacher({ model, taps: ['hidden0', 'hidden1'], optimizer: SGD });
    const batch = firstBatch(dataset, 16);
    scheme.prepare(contextFor(dataset), batch);
    const outputs = scheme.headOutputs(batch.x);
    expect(Object.keys(outputs)).toEqual(['deepest', 'hidden0', 'hidden1']);
    for (const { logits, features } of Object.values(outputs)) {
      expect(logits.shape).toEqual([16, 3]);
      expect(features.shape).toEqual([16, 6]);
    }
    expect(Object.keys(scheme.evaluationModels())).toEqual(['deepest', 'head:hidden0', 'head:hidden1', 'ensemble']);
    // every head owns trainable weights (bottleneck and classifier, kernel and bias each)
    const headVariables = Object.keys(scheme.trackables().variables).filter((n) => n.startsWith('head/'));
    expect(headVariables.filter((n) => n.startsWith('head/hidden0/'))).toHaveLength(4);
    expect(headVariables.filter((n) => n.startsWith('head/hidden1/'))).toHaveLength(4);
    tf.dispose(Object.values(outputs).flatMap((o) => [o.logits, o.features]));
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });

  it('puts a conv + pooling head on a feature map, pooled to the deepest width', () => {
    const model = convBackbone();
    const x = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 7);
    const dataset = { name: 'maps', size: 5, inputShape: [8, 8, 1], numClasses: 3, batches: () => [] };
    const scheme = beYourOwnTeacher({ model, taps: ['conv1'], optimizer: SGD });
    scheme.prepare({ ...contextFor(blobs(0)), inputShape: [8, 8, 1], train: dataset }, { x, y: tf.tensor1d([0, 1, 2, 0, 1], 'int32'), index: tf.tensor1d([0, 1, 2, 3, 4], 'int32'), size: 5, augmented: false });
    const outputs = scheme.headOutputs(x);
    expect(outputs['conv1']!.logits.shape).toEqual([5, 3]);
    expect(outputs['conv1']!.features.shape).toEqual([5, 6]);
    expect(Object.keys(scheme.trackables().variables).filter((n) => n.startsWith('head/conv1/')).sort()).toEqual([
      'head/conv1/byot_conv1_bottleneck/bias',
      'head/conv1/byot_conv1_bottleneck/kernel',
      'head/conv1/byot_conv1_logits/bias',
      'head/conv1/byot_conv1_logits/kernel',
    ]);
    tf.dispose([x, ...Object.values(outputs).flatMap((o) => [o.logits, o.features])]);
    scheme.dispose();
    model.dispose();
  });

  it('objective = CE(deepest) + sum_i (0.7 CE_i + 0.3 KL(q_C^3 || q_i^3) + 0.03 ||F_i - F_C||^2)', async () => {
    const dataset = blobs(2);
    const model = backbone(2);
    const scheme = beYourOwnTeacher({ model, taps: ['hidden0', 'hidden1'], optimizer: SGD });
    const batch = firstBatch(dataset, 8);
    scheme.prepare(contextFor(dataset), batch);
    const labels = Array.from(await batch.y.data());
    // the tiny dense backbone has no dropout: inference outputs equal the training-mode ones
    const outputs = scheme.headOutputs(batch.x);
    const deepLogits = await rows(outputs['deepest']!.logits);
    const deepFeatures = await rows(outputs['deepest']!.features);
    let expectedTotal = crossEntropyOf(deepLogits, labels);
    const objective = tf.tidy(() => {
      const { total, terms } = scheme.objective(batch, PROGRESS);
      return Object.fromEntries([['total', total], ...Object.entries(terms)].map(([k, v]) => [k, (v as tf.Scalar).dataSync()[0] as number]));
    });
    expect(objective['ce']).toBeCloseTo(expectedTotal, 5);
    for (const tap of ['hidden0', 'hidden1']) {
      const logits = await rows(outputs[tap]!.logits);
      const features = await rows(outputs[tap]!.features);
      const ce = crossEntropyOf(logits, labels);
      const kd = mean(logits.map((row, i) => kl(softmax(deepLogits[i] as number[], 3), softmax(row, 3))));
      const hint = mean(features.map((row, i) => row.reduce((s, v, c) => s + (v - (deepFeatures[i]?.[c] as number)) ** 2, 0)));
      expect(objective[`${tap}.ce`]).toBeCloseTo(ce, 5);
      expect(objective[`${tap}.kd`]).toBeCloseTo(kd, 5);
      expect(objective[`${tap}.hint`]).toBeCloseTo(hint, 4);
      expectedTotal += 0.7 * ce + 0.3 * kd + 0.03 * hint;
    }
    expect(objective['total']).toBeCloseTo(expectedTotal, 4);
    tf.dispose(Object.values(outputs).flatMap((o) => [o.logits, o.features]));
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });

  it('the deepest head teaches: no gradient reaches the deepest logits from a shallow head', async () => {
    const dataset = blobs(3);
    const model = backbone(3);
    const scheme = beYourOwnTeacher({ model, taps: ['hidden0'], optimizer: SGD, alpha: 1, featureWeight: 1 });
    const batch = firstBatch(dataset, 8);
    scheme.prepare(contextFor(dataset), batch);
    // the last dense layer (kernel, bias) only feeds the deepest logits; with the deepest CE removed
    // (objective minus its 'ce' term) it must receive exactly zero gradient through KD and hints
    const [lastKernel, lastBias] = model.trainableVariables().slice(-2) as [tf.Variable, tf.Variable];
    const maxGrad = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const { total, terms } = scheme.objective(batch, PROGRESS);
        return tf.sub(total, terms['ce'] as tf.Scalar) as tf.Scalar;
      }, [lastKernel, lastBias, ...model.trainableVariables().slice(0, 2)]);
      return [lastKernel, lastBias].map((v) => (grads[v.name] ? (tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0] as number) : 0));
    });
    expect(maxGrad).toEqual([0, 0]);
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });

  it('trains every head to a good accuracy', async () => {
    const dataset = blobs(4);
    const model = backbone(4);
    const scheme = beYourOwnTeacher({ model, taps: ['hidden0', 'hidden1'], optimizer: ADAM });
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 10, batchSize: 16, seed: 1 }).fit();
    for (const name of ['deepest', 'head:hidden0', 'head:hidden1', 'ensemble']) expect(result.final!.metrics[name]!.accuracy).toBeGreaterThan(0.85);
    scheme.dispose();
    model.dispose();
  });
});

describe('byot shallow export', () => {
  it('exports an independent truncated tf.LayersModel that predicts what the head does and survives save/load', async () => {
    const dataset = blobs(5);
    const model = mlp({ inputSize: 4, hidden: [12, 10, 8], numClasses: 3, dropout: 0.1, seed: 5, name: 'deep-mlp' });
    const scheme = beYourOwnTeacher({ model, taps: ['hidden1', 'hidden2'], optimizer: ADAM });
    await new Trainer({ scheme, train: dataset, epochs: 2, batchSize: 16, seed: 1 }).fit();
    const tensorsBeforeExport = tf.memory().numTensors;
    const shallow = await scheme.exportShallowModel('hidden1');
    const names = shallow.layersModel.layers.map((l) => l.name);
    expect(names).toContain('hidden1');
    expect(names).not.toContain('hidden2');
    expect(names).not.toContain('logits');
    const x = tf.tensor2d(dataset.x, [dataset.size, 4]);
    const viaHead = scheme.evaluationModels()['head:hidden1']!.predictLogits(x);
    const viaExport = shallow.predictLogits(x);
    const gap = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
    expect(gap(viaHead, viaExport)).toBeLessThan(1e-5);

    let saved: tf.io.ModelArtifacts | undefined;
    await shallow.layersModel.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const viaReload = reloaded.predict(x) as tf.Tensor;
    expect(gap(viaReload, viaExport)).toBeLessThan(1e-6);
    reloaded.dispose();
    tf.dispose([x, viaHead, viaExport, viaReload]);
    // the export is a snapshot the caller owns: disposing either side leaves the other intact
    const headVariables = Object.entries(scheme.trackables().variables).filter(([n]) => n.startsWith('head/')).map(([, v]) => v);
    shallow.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBeforeExport);
    expect(model.trainableVariables().every((v) => !v.isDisposed)).toBe(true);
    scheme.dispose();
    expect(headVariables.every((v) => v.isDisposed)).toBe(true);
    model.dispose();
  });

  it('refuses to export from a backbone without a tf.LayersModel, or at a tap without a head', async () => {
    const dataset = blobs(6);
    const model = backbone(6);
    const scheme = beYourOwnTeacher({ model, taps: ['hidden0'], optimizer: SGD });
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset), batch);
    await expect(scheme.exportShallowModel('hidden0')).rejects.toThrow(/not backed by a tf.LayersModel/);
    await expect(scheme.exportShallowModel('hidden1')).rejects.toThrow(MissingFeatureError);
    releaseBatch(batch);
    scheme.dispose();
    model.dispose();
  });
});

describe('byot misuse', () => {
  const fit = (scheme: ReturnType<typeof beYourOwnTeacher>) => new Trainer({ scheme, train: blobs(0), epochs: 1, batchSize: 16, seed: 1 }).fit();

  it('rejects heads at taps that do not exist, before training', async () => {
    const model = backbone(7);
    await expect(fit(beYourOwnTeacher({ model, taps: ['block9'], optimizer: SGD }))).rejects.toBeInstanceOf(MissingFeatureError);
    await expect(fit(beYourOwnTeacher({ model, taps: ['hidden0', 'conv3'], optimizer: SGD }))).rejects.toThrow(/no feature tap named "conv3"/);
    await expect(fit(beYourOwnTeacher({ model, taps: ['hidden0'], deepestFeature: 'penultimate', optimizer: SGD }))).rejects.toBeInstanceOf(MissingFeatureError);
    model.dispose();
  });

  it('rejects no taps, repeated taps, a head at the deepest feature and bad weights', async () => {
    const model = backbone(8);
    expect(() => beYourOwnTeacher({ model, taps: [], optimizer: SGD })).toThrow(ConfigError);
    expect(() => beYourOwnTeacher({ model, taps: ['hidden0', 'hidden0'], optimizer: SGD })).toThrow(/twice/);
    expect(() => beYourOwnTeacher({ model, taps: ['hidden0'], alpha: 1.5, optimizer: SGD })).toThrow(/alpha/);
    expect(() => beYourOwnTeacher({ model, taps: ['hidden0'], temperature: 0, optimizer: SGD })).toThrow(/temperature/);
    expect(() => beYourOwnTeacher({ model, taps: ['hidden0'], featureWeight: -1, optimizer: SGD })).toThrow(/featureWeight/);
    await expect(fit(beYourOwnTeacher({ model, taps: ['hidden2'], optimizer: SGD }))).rejects.toThrow(/deepest feature/);
    model.dispose();
  });
});
