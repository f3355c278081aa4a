/**
 * A small seeded generator (mulberry32) in plain JS arithmetic, so a seed gives the same numbers on every
 * backend and machine (tfjs's own seeded ops depend on the backend's kernels). `salt` separates streams of
 * packages that share a seed; it is part of each package's documented sequence, so changing it changes results.
 */
export interface SeededRandom {
  /** uniform in [0, 1) */
  uniform(): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
}

export function mulberry32(seed: number, salt = 0): SeededRandom {
  let state = (Math.floor(seed) ^ salt) >>> 0;
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
