import { ConfigError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { createRng, mixSeed, permutation, shuffleInPlace } from '../src/random.js';

describe('createRng', () => {
  it('repeats the same stream for the same seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const value of draw(7)) expect(value >= 0 && value < 2 ** 32 && Number.isInteger(value)).toBe(true);
  });

  it('nextFloat is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    expect(outside).toBe(0);
    // Standard error of the mean is sqrt(1/12 / n) ~ 0.0009: 5 sigma is 0.0046.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.003);
  });

  it('nextInt is uniform over [0, k): chi-square below the 0.999 quantile', () => {
    const rng = createRng(2);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const v = rng.nextInt(k);
      counts[v] = (counts[v] as number) + 1;
    }
    // Any value outside 0..k-1 would have grown the array or left a NaN.
    expect(counts.length).toBe(k);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    const expected = n / k;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // chi-square with 6 degrees of freedom: P(X > 22.46) = 0.001.
    expect(chi2).toBeLessThan(22.46);
    expect(() => rng.nextInt(0)).toThrow(ConfigError);
    expect(() => rng.nextInt(2.5)).toThrow(ConfigError);
  });

  it('nextNormal has mean 0 and variance 1', () => {
    const rng = createRng(3);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.nextNormal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.016); // 5 standard errors
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.023); // var of z^2 is 2: 5 * sqrt(2 / n)
  });

  it('rejects seeds that are not finite integers', () => {
    expect(() => createRng(Number.NaN)).toThrow(ConfigError);
    expect(() => createRng(1.5)).toThrow(ConfigError);
    expect(() => mixSeed(1, Number.POSITIVE_INFINITY)).toThrow(ConfigError);
  });
});

describe('mixSeed', () => {
  it('is order-sensitive, deterministic and uses bits above 32', () => {
    expect(mixSeed(1, 2)).toBe(mixSeed(1, 2));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(5)).not.toBe(mixSeed(5 + 2 ** 32));
    expect(mixSeed(-1)).not.toBe(mixSeed(2 ** 32 - 1));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => mixSeed(9, i)));
    expect(seeds.size).toBe(1000);
  });
});

describe('permutation', () => {
  it('is a permutation of 0..n-1, seeded', () => {
    const p = permutation(1000, createRng(5));
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).toEqual(permutation(1000, createRng(5)));
    expect(p).not.toEqual(permutation(1000, createRng(6)));
  });

  it('puts every element in every position equally often (Fisher-Yates is unbiased)', () => {
    const rng = createRng(11);
    const n = 4;
    const trials = 24_000;
    const hits = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let t = 0; t < trials; t++) {
      const p = shuffleInPlace([0, 1, 2, 3], rng);
      p.forEach((value, position) => {
        const row = hits[value] as number[];
        row[position] = (row[position] as number) + 1;
      });
    }
    // Each cell is Binomial(24000, 1/4): sd ~ 67, allow 5 sd.
    for (const row of hits) for (const count of row) expect(Math.abs(count - trials / n)).toBeLessThan(335);
  });
});
