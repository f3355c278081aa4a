import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryDataset } from '../src/in-memory-dataset.js';
import type { Rng } from '../src/random.js';
import { createRng } from '../src/random.js';
import { composeTransforms, gaussianNoise, horizontalFlip, randomTranslation } from '../src/transforms.js';
import { collect } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An Rng whose nextInt answers come from a script, to pin a transform's draws. */
function scriptedRng(ints: number[], floats: number[] = []): Rng {
  const real = createRng(0);
  return { ...real, nextInt: () => ints.shift() ?? 0, nextFloat: () => floats.shift() ?? 0 };
}

// A 3x4 two-channel image: value = 10 * (y * 4 + x) + channel.
const image = () => Float32Array.from({ length: 3 * 4 * 2 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
const at = (x: Float32Array, y: number, col: number, c: number) => x[(y * 4 + col) * 2 + c];

describe('randomTranslation', () => {
  it('moves the image by (dy, dx) and fills with zeros', () => {
    const x = image();
    // maxShift 1: nextInt(3) - 1, so draws 2 and 0 give dy = +1, dx = -1.
    randomTranslation({ maxShift: 1 }).apply(x, 1, [3, 4, 2], scriptedRng([2, 0]));
    const original = image();
    for (let y = 0; y < 3; y++) {
      for (let col = 0; col < 4; col++) {
        for (let c = 0; c < 2; c++) {
          const fromY = y - 1;
          const fromX = col + 1;
          const expected = fromY >= 0 && fromX < 4 ? at(original, fromY, fromX, c) : 0;
          expect(at(x, y, col, c)).toBe(expected);
        }
      }
    }
  });

  it('keeps a centred image intact in content (sum) when the shift fits in the zero border', () => {
    const size = 8;
    const x = new Float32Array(50 * size * size);
    for (let s = 0; s < 50; s++) for (let y = 2; y < 6; y++) for (let col = 2; col < 6; col++) x[s * 64 + y * 8 + col] = s + y + col;
    const before = x.reduce((a, b) => a + b, 0);
    const copy = x.slice();
    randomTranslation({ maxShift: 2 }).apply(x, 50, [8, 8, 1], createRng(4));
    expect(x.reduce((a, b) => a + b, 0)).toBe(before);
    expect(x).not.toEqual(copy);
    expect(() => randomTranslation({ maxShift: -1 })).toThrow(ConfigError);
    expect(() => randomTranslation({ maxShift: 1 }).check([64])).toThrow(ConfigError);
  });

  it('a shift as large as the image leaves zeros', () => {
    const x = image();
    randomTranslation({ maxShift: 4 }).apply(x, 1, [3, 4, 2], scriptedRng([8, 4]));
    expect(Array.from(x).every((v) => v === 0)).toBe(true);
  });
});

describe('horizontalFlip and gaussianNoise', () => {
  it('flip mirrors columns, keeps channels, and twice is the identity', () => {
    const x = image();
    const flip = horizontalFlip({ probability: 1 });
    flip.apply(x, 1, [3, 4, 2], createRng(0));
    for (let y = 0; y < 3; y++) for (let col = 0; col < 4; col++) for (let c = 0; c < 2; c++) expect(at(x, y, col, c)).toBe(at(image(), y, 3 - col, c));
    flip.apply(x, 1, [3, 4, 2], createRng(0));
    expect(x).toEqual(image());
    const untouched = image();
    horizontalFlip({ probability: 0 }).apply(untouched, 1, [3, 4, 2], createRng(0));
    expect(untouched).toEqual(image());
    expect(() => horizontalFlip({ probability: 2 })).toThrow(ConfigError);
  });

  it('noise has the requested standard deviation', () => {
    const x = new Float32Array(40_000);
    gaussianNoise({ std: 0.5 }).apply(x, 10_000, [4], createRng(1));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.0125); // 5 standard errors of 0.5 / 200
    expect(Math.abs(Math.sqrt(variance) - 0.5)).toBeLessThan(0.01);
    expect(() => gaussianNoise({ std: -1 })).toThrow(ConfigError);
  });
});

describe('datasets with a transform', () => {
  const size = 40;
  const inputs = new Float32Array(size * 36);
  for (let s = 0; s < size; s++) for (let y = 1; y < 5; y++) for (let col = 1; col < 5; col++) inputs[s * 36 + y * 6 + col] = 1 + s;
  const plain = new InMemoryDataset({ name: 'tiny', inputs, labels: Array.from({ length: size }, (_, i) => i % 2), inputShape: [6, 6, 1], numClasses: 2 });
  const jittered = plain.withTransform(randomTranslation({ maxShift: 1 }));

  const xs = (ds: InMemoryDataset, seed: number, epoch: number) =>
    collect(ds.batches({ batchSize: 16, shuffle: true, seed, epoch })).map((b) => ({ x: Array.from(b.x), index: Array.from(b.index), augmented: b.augmented }));

  it('marks batches augmented, keeps order and labels, and is seeded by (seed, epoch, batch)', () => {
    const a = xs(jittered, 1, 0);
    expect(a.every((b) => b.augmented)).toBe(true);
    expect(xs(plain, 1, 0).every((b) => !b.augmented)).toBe(true);
    expect(a.map((b) => b.index)).toEqual(xs(plain, 1, 0).map((b) => b.index));
    expect(xs(jittered, 1, 0)).toEqual(a);
    expect(xs(jittered, 1, 1).map((b) => b.x)).not.toEqual(a.map((b) => b.x));
    // Each sample keeps its mass (16 pixels of value 1 + s): a shift of 1 stays inside the zero border.
    for (const batch of a) batch.index.forEach((s, i) => expect(batch.x.slice(i * 36, i * 36 + 36).reduce((p, q) => p + q, 0)).toBe(16 * (1 + s)));
    // The dataset's own array is never modified by augmentation.
    expect(jittered.inputs).toBe(inputs);
    expect(inputs[7]).toBe(1);
  });

  it('a flattened view still jitters through its imageShape; vectors without one are refused', () => {
    const flat = jittered.flattened();
    expect(flat.transform).toBe(jittered.transform);
    const batches = collect(flat.batches({ batchSize: 16, shuffle: true, seed: 1, epoch: 0 }));
    expect(batches[0]?.shape).toEqual([16, 36]);
    expect(batches.map((b) => Array.from(b.x))).toEqual(xs(jittered, 1, 0).map((b) => b.x));
    const vectors = new InMemoryDataset({ name: 'vec', inputs: new Float32Array(8), labels: [0, 1], inputShape: [4], numClasses: 2 });
    expect(() => vectors.withTransform(randomTranslation({ maxShift: 1 }))).toThrow(ConfigError);
    expect(vectors.withTransform(composeTransforms(gaussianNoise({ std: 1 }))).transform?.name).toBe('noise(1)');
    expect(() => vectors.withTransform(composeTransforms(gaussianNoise({ std: 1 }), horizontalFlip()))).toThrow(ConfigError);
  });
});
