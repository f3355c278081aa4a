import { mkdtemp, readFile, readdir, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointCorruptError, ConfigError } from '../src/errors.js';
import { loadLayersModel, MODEL_JSON_FILE, saveLayersModel, WEIGHTS_FILE } from '../src/io/layers-folder.js';

/** A small model with batch-norm, so non-trainable state (moving statistics) must round-trip too. */
function buildModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  let x = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'd1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'd2' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

/** Moves the batch-norm statistics away from their initial 0/1 so that a lost state would show. */
function perturbState(model: tf.LayersModel): void {
  const bn = model.getLayer('bn');
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights([gamma!, beta!, tf.fill(mean!.shape, 0.7), tf.fill(variance!.shape, 2.5)]);
}

describe('saveLayersModel / loadLayersModel (folder, no tfjs-node)', () => {
  let folder: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'distillery-io-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const input = (): tf.Tensor2D => tf.tensor2d([[0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [1, 2, 3, 4, 5, 6]]);

  it('round-trips topology and every weight: identical predictions, no temp files left', async () => {
    const model = buildModel(3);
    perturbState(model);
    await saveLayersModel(model, join(folder, 'nested', 'ckpt'));
    const files = (await readdir(join(folder, 'nested', 'ckpt'))).sort();
    expect(files).toEqual([MODEL_JSON_FILE, WEIGHTS_FILE].sort());

    // 6*5+5 + 4*5 + 5*3+3 = 73 float32 values
    const bytes = await readFile(join(folder, 'nested', 'ckpt', WEIGHTS_FILE));
    expect(bytes.byteLength).toBe(73 * 4);

    const loaded = await loadLayersModel(join(folder, 'nested', 'ckpt'));
    const x = input();
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const actual = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
    expect(actual).toEqual(expected);
    const mean = loaded.getLayer('bn').getWeights()[2]!.arraySync() as number[];
    expect(mean).toEqual([0.7, 0.7, 0.7, 0.7, 0.7].map((v) => Math.fround(v)));
    model.dispose();
    loaded.dispose();
  });

  it('overwrites an earlier save in place', async () => {
    const first = buildModel(1);
    const second = buildModel(2);
    await saveLayersModel(first, folder);
    await saveLayersModel(second, folder);
    const loaded = await loadLayersModel(folder);
    const x = input();
    const secondOut = (second.predict(x) as tf.Tensor).arraySync() as number[][];
    const firstOut = (first.predict(x) as tf.Tensor).arraySync() as number[][];
    expect((loaded.predict(x) as tf.Tensor).arraySync()).toEqual(secondOut);
    expect(secondOut).not.toEqual(firstOut);
    expect((await readdir(folder)).length).toBe(2);
    [first, second, loaded].forEach((m) => m.dispose());
  });

  describe('damaged checkpoints raise CheckpointCorruptError', () => {
    beforeEach(async () => {
      const model = buildModel(5);
      await saveLayersModel(model, folder);
      model.dispose();
    });

    const expectCorrupt = async (pattern: RegExp): Promise<void> => {
      const error: unknown = await loadLayersModel(folder).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointCorruptError);
      expect((error as CheckpointCorruptError).code).toBe('CHECKPOINT_CORRUPT');
      expect((error as Error).message).toMatch(pattern);
    };

    it('truncated weights.bin', async () => {
      await truncate(join(folder, WEIGHTS_FILE), 100);
      await expectCorrupt(/100 bytes but the manifest describes 292/);
    });

    it('missing weights.bin', async () => {
      await unlink(join(folder, WEIGHTS_FILE));
      await expectCorrupt(/cannot read weights file weights\.bin \(ENOENT\)/);
    });

    it('weights.bin of the right size with altered bytes', async () => {
      const path = join(folder, WEIGHTS_FILE);
      const bytes = await readFile(path);
      bytes[17] = (bytes[17] ?? 0) ^ 0xff;
      await writeFile(path, bytes);
      await expectCorrupt(/does not match the checksum/);
    });

    it('model.json that is not JSON', async () => {
      const path = join(folder, MODEL_JSON_FILE);
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.slice(0, text.length / 2));
      await expectCorrupt(/model\.json is not valid JSON/);
    });

    it('model.json without a topology', async () => {
      await writeFile(join(folder, MODEL_JSON_FILE), JSON.stringify({ weightsManifest: [] }));
      await expectCorrupt(/no modelTopology/);
    });

    it('missing model.json', async () => {
      await unlink(join(folder, MODEL_JSON_FILE));
      await expectCorrupt(/cannot read model\.json \(ENOENT\)/);
    });

    it('a manifest path escaping the folder', async () => {
      const path = join(folder, MODEL_JSON_FILE);
      const json = JSON.parse(await readFile(path, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
      json.weightsManifest[0]!.paths = ['../elsewhere.bin'];
      await writeFile(path, JSON.stringify(json));
      await expectCorrupt(/points outside the folder/);
    });
  });

  it('names an unregistered layer class with a ConfigError', async () => {
    const model = buildModel(7);
    await saveLayersModel(model, folder);
    model.dispose();
    const path = join(folder, MODEL_JSON_FILE);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"class_name":"BatchNormalization"', '"class_name":"NotRegisteredLayer"'));
    const error: unknown = await loadLayersModel(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('"NotRegisteredLayer"');
  });
});
