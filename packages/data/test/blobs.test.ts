import { ConfigError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { blobCentres, gaussianBlobs } from '../src/blobs.js';

describe('gaussianBlobs', () => {
  const options = { numClasses: 5, perClass: 200, dims: 16, seed: 3 };

  it('has the requested size, shape and balanced interleaved labels', () => {
    const ds = gaussianBlobs(options);
    expect(ds.size).toBe(1000);
    expect(ds.inputShape).toEqual([16]);
    expect(ds.numClasses).toBe(5);
    expect(Array.from(ds.classCounts())).toEqual([200, 200, 200, 200, 200]);
    expect(Array.from(ds.labels.subarray(0, 7))).toEqual([0, 1, 2, 3, 4, 0, 1]);
    expect(gaussianBlobs({ ...options, inputShape: [4, 4, 1], dims: undefined }).inputShape).toEqual([4, 4, 1]);
  });

  it('is deterministic per seed; sampleSeed changes samples but not centres', () => {
    const a = gaussianBlobs(options);
    expect(gaussianBlobs(options).inputs).toEqual(a.inputs);
    expect(gaussianBlobs({ ...options, seed: 4 }).inputs).not.toEqual(a.inputs);
    const b = gaussianBlobs({ ...options, sampleSeed: 99 });
    expect(b.inputs).not.toEqual(a.inputs);
    // Same centres: per-class means of both sets agree within sampling error (sd 1/sqrt(200) ~ 0.07).
    const centres = blobCentres(5, 16, 4, 3);
    for (const ds of [a, b]) {
      for (let c = 0; c < 5; c++) {
        for (let d = 0; d < 16; d++) {
          let sum = 0;
          for (let i = c; i < ds.size; i += 5) sum += ds.inputs[i * 16 + d] as number;
          expect(Math.abs(sum / 200 - (centres[c * 16 + d] as number))).toBeLessThan(0.36);
        }
      }
    }
  });

  it('centres sit at distance `separation` and the problem is learnable', () => {
    const centres = blobCentres(5, 16, 4, 3);
    for (let c = 0; c < 5; c++) {
      const norm = Math.hypot(...centres.subarray(c * 16, c * 16 + 16));
      expect(norm).toBeCloseTo(4, 10);
    }
    // Nearest-centre classification on fresh samples: pairwise centre distance ~ 4 * sqrt(2) against
    // unit noise puts the Bayes error near 5%; demand 85%.
    const test = gaussianBlobs({ ...options, sampleSeed: 123 });
    let correct = 0;
    for (let i = 0; i < test.size; i++) {
      const x = test.input(i);
      let best = -1;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < 5; c++) {
        let distance = 0;
        for (let d = 0; d < 16; d++) distance += ((x[d] as number) - (centres[c * 16 + d] as number)) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [c, distance];
      }
      if (best === test.labels[i]) correct++;
    }
    expect(correct / test.size).toBeGreaterThan(0.85);
  });

  it('validates its options', () => {
    expect(() => gaussianBlobs({ ...options, dims: undefined })).toThrow(ConfigError);
    expect(() => gaussianBlobs({ ...options, inputShape: [3] })).toThrow(ConfigError);
    expect(() => gaussianBlobs({ ...options, perClass: 0 })).toThrow(ConfigError);
    expect(() => gaussianBlobs({ ...options, numClasses: 1.5 })).toThrow(ConfigError);
    expect(() => gaussianBlobs({ ...options, separation: -1 })).toThrow(ConfigError);
    expect(() => gaussianBlobs({ ...options, noise: Number.NaN })).toThrow(ConfigError);
  });
});
