/**
 * A seeded generator (mulberry32) for the initial values of loss-owned variables and for CRD's
 * negative samples. Plain JS arithmetic, so a seed gives the same numbers on every backend; tfjs's
 * seeded initialisers depend on the backend's kernels.
 */
export interface LossRandom {
  /** uniform in [0, 1) */
  uniform(): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
}

export function lossRandom(seed: number): LossRandom {
  let state = (Math.floor(seed) ^ 0x5bd1e995) >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal: () => {
      // 1 - u keeps the argument of log in (0, 1]
      const u = 1 - uniform();
      const v = uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (n: number) => Math.floor(uniform() * n),
  };
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
