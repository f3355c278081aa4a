import { ConfigError } from '@distillery/core';

/**
 * A small seeded PRNG. Everything random in Distillery's data pipeline (shuffles, splits, subsets,
 * augmentation, synthetic data) draws from one of these, so a run is a pure function of its seeds.
 */
export interface Rng {
  /** uniform integer in [0, 2^32) */
  nextUint32(): number;
  /** uniform float in [0, 1) */
  nextFloat(): number;
  /** uniform integer in [0, maxExclusive), without modulo bias */
  nextInt(maxExclusive: number): number;
  /** standard normal sample (Box-Muller) */
  nextNormal(): number;
}

const TWO_POW_32 = 4_294_967_296;

/** murmur3's 32-bit finaliser: a bijective avalanche mix, so nearby seeds give unrelated streams. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkSeedPart(value: number): void {
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    throw new ConfigError(`seed ${value} is not a finite integer`, 'pass an integer seed such as 42');
  }
}

/**
 * Combines integers (a seed, an epoch, a batch number, a stream tag) into one 32-bit seed.
 * Order matters: mixSeed(1, 2) !== mixSeed(2, 1). Parts beyond 32 bits keep their high bits.
 */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e37_79b9;
  for (const part of parts) {
    checkSeedPart(part);
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    h = fmix32(h ^ fmix32(low + 0x6d2b_79f5));
    h = fmix32(h ^ fmix32(high + 0x1b87_3593));
  }
  return h;
}

/** mulberry32 (public domain): 32 bits of state, fast, passes the usual statistical batteries for this use. */
export function createRng(seed: number): Rng {
  let state = mixSeed(seed);
  let spareNormal: number | undefined;

  const nextUint32 = (): number => {
    state = (state + 0x6d2b_79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const nextFloat = (): number => nextUint32() / TWO_POW_32;

  return {
    nextUint32,
    nextFloat,
    nextInt(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
        throw new ConfigError(`nextInt bound ${maxExclusive} is not an integer in [1, 2^32]`, 'pass a positive integer bound');
      }
      // Rejection sampling: drawing from the largest multiple of the bound keeps every outcome equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      let draw = nextUint32();
      while (draw >= limit) draw = nextUint32();
      return draw % maxExclusive;
    },
    nextNormal(): number {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - nextFloat()));
      const angle = 2 * Math.PI * nextFloat();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A uniformly random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, rng);
}
