import * as tf from '@tensorflow/tfjs';
import { mkdtemp, writeFile, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointCorruptError,
  ConfigError,
  EmptyDatasetError,
  MemoryCheckpointStore,
  NonFiniteLossError,
  Trainer,
  train,
} from '../src/index.js';
import { FolderCheckpointStore } from '../src/node.js';
import { blobDataset, linearModel, supervisedScheme, weightsOf } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer', () => {
  it('reduces the loss, evaluates every epoch and reports throughput', async () => {
    const model = linearModel(4, 3, 1);
    const result = await train({ scheme: supervisedScheme(model), train: blobDataset(120), evaluation: blobDataset(60, 3, 4, 9), epochs: 4, batchSize: 16, seed: 3 });
    expect(result.history).toHaveLength(4);
    expect(result.history[3]!.terms['total']!).toBeLessThan(result.history[0]!.terms['total']!);
    expect(result.final!.metrics['model']!.accuracy).toBeGreaterThan(0.9);
    expect(result.final!.metrics['model']!.count).toBe(60);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    model.dispose();
  });

  it('evaluates every evaluateEvery-th epoch and always the last, without changing training', async () => {
    const sparse = linearModel(4, 3, 1);
    const every = linearModel(4, 3, 1);
    const options = { train: blobDataset(48), evaluation: blobDataset(24, 3, 4, 9), epochs: 5, batchSize: 16, seed: 3 };
    const result = await train({ ...options, scheme: supervisedScheme(sparse), evaluateEvery: 2 });
    const reference = await train({ ...options, scheme: supervisedScheme(every) });
    // epochs 2 and 4 (every 2nd) and 5 (the last) are evaluated
    expect(result.history.map((r) => Object.keys(r.metrics).length)).toEqual([0, 1, 0, 1, 1]);
    expect(result.final!.metrics['model']!.accuracy).toBe(reference.final!.metrics['model']!.accuracy);
    expect(await weightsOf(sparse)).toEqual(await weightsOf(every));
    sparse.dispose();
    every.dispose();
    await expect(train({ ...options, scheme: supervisedScheme(linearModel(4, 3, 1)), evaluateEvery: 0 })).rejects.toThrow(ConfigError);
  });

  it('is reproducible for a seed', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = linearModel(4, 3, 5);
      await train({ scheme: supervisedScheme(model), train: blobDataset(50), epochs: 2, batchSize: 8, seed: 11 });
      runs.push(await weightsOf(model));
      model.dispose();
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('leaks no tensors across epochs', async () => {
    const model = linearModel(4, 3, 2);
    const scheme = supervisedScheme(model);
    await train({ scheme, train: blobDataset(64), epochs: 1, batchSize: 8, seed: 1 });
    const before = tf.memory().numTensors;
    await new Trainer({ scheme: supervisedScheme(model), train: blobDataset(64), evaluation: blobDataset(16), epochs: 3, batchSize: 8, seed: 1 }).fit();
    // one new optimiser: Adam keeps 2 slots per variable plus its iteration counter and hyper-parameter scalars
    const growth = tf.memory().numTensors - before;
    expect(growth).toBeLessThanOrEqual(2 * model.trainableVariables().length + 4);
    model.dispose();
  });

  it('resumes from a checkpoint to the same weights as an uninterrupted run', async () => {
    const uninterrupted = linearModel(4, 3, 7);
    await train({ scheme: supervisedScheme(uninterrupted), train: blobDataset(40), epochs: 4, batchSize: 8, seed: 2 });

    const store = new MemoryCheckpointStore();
    const first = linearModel(4, 3, 7);
    await train({ scheme: supervisedScheme(first), train: blobDataset(40), epochs: 2, batchSize: 8, seed: 2, checkpoint: store });
    const resumedModel = linearModel(4, 3, 99); // different init: everything must come from the checkpoint
    const resumed = await train({ scheme: supervisedScheme(resumedModel), train: blobDataset(40), epochs: 4, batchSize: 8, seed: 2, checkpoint: store });

    expect(resumed.resumedFromEpoch).toBe(2);
    expect(resumed.history).toHaveLength(4);
    const expected = await weightsOf(uninterrupted);
    const actual = await weightsOf(resumedModel);
    actual.forEach((values, i) => values.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
    [uninterrupted, first, resumedModel].forEach((m) => m.dispose());
  });

  it('stops on a NaN loss and keeps the last good checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distillery-nan-'));
    const store = new FolderCheckpointStore(dir);
    const model = linearModel(4, 3, 3);
    // 40 samples / batch 8 = 5 steps an epoch: epoch 0 is clean, NaN appears during epoch 1
    const run = train({ scheme: supervisedScheme(model, { poisonAtStep: 7 }), train: blobDataset(40), epochs: 3, batchSize: 8, seed: 1, logEvery: 1, checkpoint: store });
    await expect(run).rejects.toBeInstanceOf(NonFiniteLossError);
    await expect(run).rejects.toMatchObject({ code: 'LOSS_NOT_FINITE', epoch: 1 });
    const saved = await store.load();
    expect(saved?.meta.epochsDone).toBe(1);
    expect(saved!.tensors.every((t) => Array.from(t.values).every(Number.isFinite))).toBe(true);
    model.dispose();
  });

  it('rejects an empty dataset and bad options before training', () => {
    const model = linearModel(4, 3, 1);
    expect(() => new Trainer({ scheme: supervisedScheme(model), train: blobDataset(0), epochs: 1, batchSize: 8, seed: 1 })).toThrow(EmptyDatasetError);
    expect(() => new Trainer({ scheme: supervisedScheme(model), train: blobDataset(8), epochs: 0, batchSize: 8, seed: 1 })).toThrow(ConfigError);
    expect(() => new Trainer({ scheme: supervisedScheme(model), train: blobDataset(8), epochs: 1, batchSize: 0, seed: 1 })).toThrow(ConfigError);
    model.dispose();
  });
});

describe('FolderCheckpointStore', () => {
  async function savedFolder(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'distillery-ckpt-'));
    const model = linearModel(4, 3, 4);
    await train({ scheme: supervisedScheme(model), train: blobDataset(16), epochs: 2, batchSize: 8, seed: 1, checkpoint: new FolderCheckpointStore(dir) });
    model.dispose();
    return dir;
  }

  it('round-trips values and keeps a single weights file', async () => {
    const dir = await savedFolder();
    const loaded = await new FolderCheckpointStore(dir).load();
    expect(loaded?.meta.epochsDone).toBe(2);
    expect(loaded?.tensors.some((t) => t.name.startsWith('optimizer/model/'))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
  });

  it('detects a flipped byte in the weights', async () => {
    const dir = await savedFolder();
    const weightsFile = (await readdir(dir)).find((f) => f.endsWith('.bin'))!;
    const bytes = await readFile(join(dir, weightsFile));
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(join(dir, weightsFile), bytes);
    await expect(new FolderCheckpointStore(dir).load()).rejects.toBeInstanceOf(CheckpointCorruptError);
  });

  it('detects a manifest that is not JSON', async () => {
    const dir = await savedFolder();
    await writeFile(join(dir, 'checkpoint.json'), '{"meta": ');
    await expect(new FolderCheckpointStore(dir).load()).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
  });

  it('returns nothing for an empty folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distillery-empty-'));
    expect(await new FolderCheckpointStore(dir).load()).toBeUndefined();
  });
});
