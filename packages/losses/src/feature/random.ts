import { mulberry32, type SeededRandom } from '@distillery/core';

/**
 * The seeded generator for the initial values of loss-owned variables and for CRD's negative samples:
 * core's mulberry32 with this package's salt (part of the golden values' sequence).
 */
export type LossRandom = SeededRandom;

export function lossRandom(seed: number): LossRandom {
  return mulberry32(seed, 0x5bd1e995);
}

/**
 * A 32-bit seed for one purpose ("fitnets/regressor0", "crd/negatives/12") from the run's seed:
 * FNV-1a over the label, mixed with the seed, so every variable gets its own stream.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ Math.imul(Math.floor(seed) >>> 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function uniformValues(count: number, low: number, high: number, random: LossRandom): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = low + (high - low) * random.uniform();
  return out;
}

export function normalValues(count: number, std: number, random: LossRandom): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random.normal() * std;
  return out;
}
