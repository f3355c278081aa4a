import { mulberry32, type SeededRandom } from '@distillery/core';

/** Synthetic data's generator: core's mulberry32 with the testkit's salt, identical on every backend. */
export type { SeededRandom };

export function seededRandom(seed: number): SeededRandom {
  return mulberry32(seed, 0x9e3779b9);
}

/** `count` normal samples scaled by `scale`, as float32. */
export function normalArray(count: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random.normal() * scale;
  return out;
}

/** A permutation of 0..n-1, a pure function of the seed (Fisher-Yates). */
export function seededPermutation(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const held = order[i] as number;
    order[i] = order[j] as number;
    order[j] = held;
  }
  return order;
}
