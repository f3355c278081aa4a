import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../src/errors.js';
import { parseFashionClassJson } from '../src/fashion-json.js';
import { FASHION_TEST_PER_CLASS, fashionSplitIds, markDuplicates } from '../src/fashion-split.js';
import type { FashionMnistSplits } from '../src/node.js';
import { loadFashionMnist, loadFashionMnistSplits } from '../src/node.js';

// First source ids of each split as documented in the README; a change here changes everyone's benchmark.
const PINNED_TEST_IDS = [12025, 57881, 4927, 40298, 31155];
const PINNED_TRAIN_IDS = [28170, 18282, 13231, 68041, 24354];

const encode = (text: string) => new TextEncoder().encode(text);
const row = (seed: number) => Array.from({ length: 784 }, (_, i) => (i * 13 + seed * 7) % 256);

describe('parseFashionClassJson', () => {
  it('reads rows of 784 integer pixels, tolerating whitespace and skipping empty rows', () => {
    const text = ` { "data" : [ [${row(1).join(', ')}],\n[],\r\n [${row(2).join(',')}] ] }\n`;
    const parsed = parseFashionClassJson(encode(text), 'x.json');
    expect(parsed.count).toBe(2);
    expect(parsed.emptyRows).toBe(1);
    expect(Array.from(parsed.pixels.subarray(0, 784))).toEqual(row(1));
    expect(Array.from(parsed.pixels.subarray(784))).toEqual(row(2));
    expect(parseFashionClassJson(encode('{"data":[]}'), 'empty.json').count).toBe(0);
  });

  it('rejects malformed files with a DataFileError naming the file', () => {
    const bad = [
      `{"data":[[${row(1).slice(1).join(',')}]]}`, // 783 values
      `{"data":[[${[...row(1).slice(1), 256].join(',')}]]}`, // value above 255
      `{"data":[[${[...row(1).slice(1), 0.5].join(',')}]]}`, // not an integer
      `{"data":[[${row(1).join(',')}]`, // cut short
      `{"data":[[${row(1).join(',')}]]} extra`,
      `{"images":[]}`,
    ];
    for (const text of bad) expect(() => parseFashionClassJson(encode(text), 'bad/3.json')).toThrow(/bad\/3\.json/);
    expect(() => parseFashionClassJson(encode(bad[0] as string), 'f')).toThrow(DataFileError);
  });
});

describe('fashionSplitIds on synthetic data', () => {
  // Two classes of 1,010 images each; images 0..9 of class 0 repeat as 1010..1019 (class 1): twins across classes.
  const perClass = 1010;
  const count = 2 * perClass;
  const pixels = new Uint8Array(count * 4);
  const labels = new Int32Array(count);
  for (let id = 0; id < count; id++) {
    const unique = id >= perClass && id < perClass + 10 ? id - perClass : id;
    new DataView(pixels.buffer).setUint32(id * 4, unique * 2654435761, false);
    labels[id] = id < perClass ? 0 : 1;
  }
  const duplicated = markDuplicates(pixels, count, 4);

  it('marks both members of every pixel-identical pair', () => {
    expect(duplicated.reduce((a, b) => a + b, 0)).toBe(20);
    for (let k = 0; k < 10; k++) expect([duplicated[k], duplicated[perClass + k]]).toEqual([1, 1]);
  });

  it('puts 1,000 distinct images of each class in test, never a duplicated one, the rest in train', () => {
    const { train, test } = fashionSplitIds(labels, duplicated, 2, 'synthetic');
    expect(test.length).toBe(2 * FASHION_TEST_PER_CLASS);
    expect(train.length).toBe(count - 2000);
    expect(Array.from(test).filter((id) => labels[id] === 0)).toHaveLength(1000);
    expect(Array.from(test).some((id) => duplicated[id])).toBe(false);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(fashionSplitIds(labels, duplicated, 2, 'synthetic').test).toEqual(test);
  });

  it('fails clearly when a class has too few distinct images', () => {
    expect(() => fashionSplitIds(labels.subarray(0, 900), duplicated, 1, 'small')).toThrow(DataFileError);
  });
});

describe('Fashion-MNIST from the fashion-mnist package', () => {
  let splits: FashionMnistSplits;
  beforeAll(() => {
    splits = loadFashionMnistSplits();
  });

  it('has 60,000 train / 10,000 test images with equal class counts', () => {
    const { train, test } = splits;
    expect([train.size, test.size]).toEqual([60_000, 10_000]);
    expect(Array.from(test.classCounts())).toEqual(new Array(10).fill(1000));
    expect(Array.from(train.classCounts())).toEqual(new Array(10).fill(6000));
    expect(train.inputShape).toEqual([28, 28, 1]);
    expect(train.name).toBe('fashion-mnist-train');
  });

  it('splits disjointly by source id and by pixel content', () => {
    const { train, test } = splits;
    const ids = [...train.sourceIds, ...test.sourceIds].sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 70_000 }, (_, i) => i));
    const digest = (pixels: Float32Array) => createHash('sha1').update(pixels).digest('hex');
    const testImages = new Set(Array.from({ length: test.size }, (_, i) => digest(test.input(i))));
    expect(testImages.size).toBe(10_000);
    let shared = 0;
    for (let i = 0; i < train.size; i++) if (testImages.has(digest(train.input(i)))) shared++;
    expect(shared).toBe(0);
  });

  it('is pinned: the split and its order never change silently', () => {
    expect(Array.from(splits.test.sourceIds.subarray(0, 5))).toEqual(PINNED_TEST_IDS);
    expect(Array.from(splits.train.sourceIds.subarray(0, 5))).toEqual(PINNED_TRAIN_IDS);
    // Source ids are class-major: 7,000 images per class after the two empty rows are skipped.
    splits.test.sourceIds.forEach((id, i) => {
      if (Math.floor(id / 7000) !== splits.test.labels[i]) throw new Error(`id ${id} has label ${splits.test.labels[i]}`);
    });
  });

  it('has pixels in [0, 1] and a limit that keeps the shuffled order', () => {
    let min = Infinity;
    let max = -Infinity;
    const pixels = splits.test.inputs;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    const limited = loadFashionMnist({ split: 'test', limit: 100 });
    expect(Array.from(limited.sourceIds)).toEqual(Array.from(splits.test.sourceIds.subarray(0, 100)));
    expect(limited.inputs).toEqual(splits.test.inputs.subarray(0, 100 * 784));
    expect(limited.classCounts().every((n) => n > 0)).toBe(true);
  });
});

describe('Fashion-MNIST loader errors', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'distillery-fashion-'));
    writeFileSync(join(folder, '0.json'), '{"data":[[1,2,3]]}');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('names the broken or missing file and rejects bad options', () => {
    expect(() => loadFashionMnist({ split: 'test', directory: folder })).toThrow(join(folder, '0.json'));
    writeFileSync(join(folder, '0.json'), '{"data":[]}');
    expect(() => loadFashionMnist({ split: 'test', directory: folder })).toThrow(join(folder, '1.json'));
    expect(() => loadFashionMnist({ split: 'dev' as 'test' })).toThrow(ConfigError);
    expect(() => loadFashionMnistSplits({ limit: -1 })).toThrow(ConfigError);
  });
});
