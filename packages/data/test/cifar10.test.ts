import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, LabelOutOfRangeError } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES } from '../src/cifar-format.js';
import { DataFileError } from '../src/errors.js';
import { createRng } from '../src/random.js';
import { CIFAR10_FILES, loadCifar10 } from '../src/node.js';

/** `count` random records: label byte, then 1024 R, 1024 G, 1024 B. */
function records(count: number, seed: number, label = (r: number) => r % 10): Uint8Array {
  const rng = createRng(seed);
  const bytes = new Uint8Array(count * CIFAR_RECORD_BYTES);
  for (let r = 0; r < count; r++) {
    bytes[r * CIFAR_RECORD_BYTES] = label(r);
    for (let i = 1; i < CIFAR_RECORD_BYTES; i++) bytes[r * CIFAR_RECORD_BYTES + i] = rng.nextInt(256);
  }
  return bytes;
}

describe('loadCifar10', () => {
  let root = '';
  let folder = '';
  const files = new Map<string, Uint8Array>();
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'distillery-cifar-'));
    folder = join(root, 'cifar-10-batches-bin');
    mkdirSync(folder);
    [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].forEach((file, f) => {
      const bytes = records(file === 'test_batch.bin' ? 3 : 2, f, (r) => (r + f) % 10);
      files.set(file, bytes);
      writeFileSync(join(folder, file), bytes);
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips records into HWC [32, 32, 3] / 255, files in order', () => {
    const train = loadCifar10({ directory: folder, split: 'train' });
    expect(train.size).toBe(10);
    expect(train.inputShape).toEqual([32, 32, 3]);
    expect(train.name).toBe('cifar10-train');
    let mismatches = 0;
    CIFAR10_FILES.train.forEach((file, f) => {
      const bytes = files.get(file) as Uint8Array;
      for (let r = 0; r < 2; r++) {
        const sample = train.input(f * 2 + r);
        expect(train.labels[f * 2 + r]).toBe(bytes[r * CIFAR_RECORD_BYTES]);
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 32; x++) {
            for (let c = 0; c < 3; c++) {
              const byte = bytes[r * CIFAR_RECORD_BYTES + 1 + c * 1024 + y * 32 + x] as number;
              if (sample[(y * 32 + x) * 3 + c] !== Math.fround(byte / 255)) mismatches++;
            }
          }
        }
      }
    });
    expect(mismatches).toBe(0);
  });

  it('finds the cifar-10-batches-bin folder inside the given one, and applies limit across files', () => {
    const test = loadCifar10({ directory: root, split: 'test' });
    expect(test.size).toBe(3);
    expect(Array.from(test.labels)).toEqual([5, 6, 7]);
    const limited = loadCifar10({ directory: folder, split: 'train', limit: 3 });
    expect(Array.from(limited.labels)).toEqual([0, 1, 1]);
    expect(limited.input(2)).toEqual(loadCifar10({ directory: folder, split: 'train' }).input(2));
  });

  it('names a missing folder, a missing file and a file that is not whole records', () => {
    expect(() => loadCifar10({ directory: join(root, 'absent'), split: 'test' })).toThrow(DataFileError);
    expect(() => loadCifar10({ directory: '', split: 'test' })).toThrow(ConfigError);
    const broken = mkdtempSync(join(tmpdir(), 'distillery-cifar-'));
    try {
      writeFileSync(join(broken, 'data_batch_1.bin'), records(1, 0));
      const missing = () => loadCifar10({ directory: broken, split: 'train' });
      expect(missing).toThrow(DataFileError);
      expect(missing).toThrow(join(broken, 'data_batch_2.bin'));
      writeFileSync(join(broken, 'test_batch.bin'), records(2, 0).subarray(0, 5000));
      const ragged = () => loadCifar10({ directory: broken, split: 'test' });
      expect(ragged).toThrow('not a positive multiple of 3073');
      expect(ragged).toThrow(join(broken, 'test_batch.bin'));
      writeFileSync(join(broken, 'test_batch.bin'), new Uint8Array(0));
      expect(() => loadCifar10({ directory: broken, split: 'test' })).toThrow(DataFileError);
      writeFileSync(join(broken, 'test_batch.bin'), records(2, 0, () => 10));
      expect(() => loadCifar10({ directory: broken, split: 'test' })).toThrow(LabelOutOfRangeError);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
    expect(() => loadCifar10({ directory: folder, split: 'test', limit: 0 })).toThrow(ConfigError);
  });
});
