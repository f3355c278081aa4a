import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointCorruptError, ConfigError, createOptimizer, gradientStep } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textCnn, textGru, transformerClassifier, transformerLM } from '../../src/index.js';
import type { TextModel } from '../../src/index.js';
import { loadTextModel, saveTextModel, TEXT_MODEL_FILE, TEXT_WEIGHTS_FILE } from '../../src/node.js';
import { idsTensor, readOutputs, TINY_CNN, TINY_ENCODER, TINY_GRU, TINY_LM, tokenRows } from './helpers.js';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'distillery-text-models-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A few optimiser steps with dropout, so weights and the dropout counter differ from a fresh build. */
function train(model: TextModel, x: tf.Tensor, steps = 3): void {
  const optimizer = createOptimizer({ name: 'adam', learningRate: 0.05 });
  const labels = tf.oneHot(tf.zeros([x.shape[0] as number], 'int32'), model.numClasses);
  for (let i = 0; i < steps; i++) {
    tf.dispose(gradientStep(optimizer, model.trainableVariables(), () => ({ total: tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true }).logits) as tf.Scalar, terms: {} })));
  }
  labels.dispose();
  optimizer.dispose();
}

const MODELS: ReadonlyArray<[string, () => TextModel]> = [
  ['transformerClassifier', () => transformerClassifier(TINY_ENCODER)],
  ['transformerLM (untied)', () => transformerLM({ ...TINY_LM, tiedEmbeddings: false })],
  ['textCnn', () => textCnn({ ...TINY_CNN, dropout: 0.3 })],
  ['BiGRU', () => textGru({ ...TINY_GRU, bidirectional: true, pooling: 'mean' })],
];

describe('saveTextModel / loadTextModel', () => {
  it.each(MODELS)('%s: save -> load gives identical outputs, spec, weights and dropout sequence', async (name, make) => {
    const model = make();
    const x = idsTensor(tokenRows([7, 4, 2], 7, 12, 51));
    train(model, x);
    const folder = join(root, name.replace(/\W+/g, '-'));
    await saveTextModel(model, folder);
    const loaded = await loadTextModel(folder);
    expect(loaded.spec).toEqual(model.spec);
    expect(loaded.countParams()).toBe(model.countParams());
    expect(readOutputs(loaded.forward(x, { training: false }))).toEqual(readOutputs(model.forward(x, { training: false })));
    for (const [key, variable] of Object.entries(model.stateVariables())) {
      expect(Array.from((loaded.stateVariables()[key] as tf.Variable).dataSync()), key).toEqual(Array.from(variable.dataSync()));
    }
    // the restored dropout counter continues the original's mask sequence
    expect(readOutputs(loaded.forward(x, { training: true }))).toEqual(readOutputs(model.forward(x, { training: true })));
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary folders left
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('replaces an earlier save in place and refuses a folder with foreign files', async () => {
    const folder = join(root, 'replace');
    const a = transformerClassifier(TINY_ENCODER);
    const b = transformerClassifier({ ...TINY_ENCODER, seed: 99 });
    await saveTextModel(a, folder);
    await saveTextModel(b, folder);
    expect((await readdir(folder)).sort()).toEqual([TEXT_MODEL_FILE, TEXT_WEIGHTS_FILE].sort());
    const loaded = await loadTextModel(folder);
    expect(loaded.spec.config.seed).toBe(99);
    const x = idsTensor(tokenRows([5], 5, 12, 52));
    expect(readOutputs(loaded.forward(x, { training: false }))).toEqual(readOutputs(b.forward(x, { training: false })));

    const foreign = join(root, 'foreign');
    await saveTextModel(a, foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(saveTextModel(a, foreign)).rejects.toBeInstanceOf(ConfigError);
    expect((await readdir(foreign)).sort()).toEqual(['notes.txt', TEXT_MODEL_FILE, TEXT_WEIGHTS_FILE].sort());
    [a, b, loaded, x].forEach((t) => t.dispose());
  });

  it('raises CheckpointCorruptError on a missing folder, altered weights, bad JSON or a missing weight', async () => {
    await expect(loadTextModel(join(root, 'nothing-here'))).rejects.toBeInstanceOf(CheckpointCorruptError);
    const folder = join(root, 'corrupt');
    const model = textCnn(TINY_CNN);
    await saveTextModel(model, folder);

    const weights = await readFile(join(folder, TEXT_WEIGHTS_FILE));
    weights[10] = (weights[10] as number) ^ 0xff;
    await writeFile(join(folder, TEXT_WEIGHTS_FILE), weights);
    await expect(loadTextModel(folder)).rejects.toThrow(/does not match its checksum/);

    await saveTextModel(model, folder);
    const manifest = JSON.parse(await readFile(join(folder, TEXT_MODEL_FILE), 'utf8')) as { weights: Array<{ name: string }> };
    manifest.weights = manifest.weights.filter((w) => w.name !== 'conv2/kernel');
    await writeFile(join(folder, TEXT_MODEL_FILE), JSON.stringify(manifest));
    const before = tf.memory().numTensors;
    await expect(loadTextModel(folder)).rejects.toThrow(/weight "conv2\/kernel" is missing/);
    expect(tf.memory().numTensors).toBe(before); // the half-loaded model was disposed

    await writeFile(join(folder, TEXT_MODEL_FILE), '{"format": 1');
    await expect(loadTextModel(folder)).rejects.toBeInstanceOf(CheckpointCorruptError);
    model.dispose();
  });
});
