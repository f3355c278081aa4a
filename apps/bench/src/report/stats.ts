export interface MeanStd {
  readonly mean: number;
  /** sample standard deviation (n - 1); 0 for a single value */
  readonly std: number;
  readonly n: number;
}

/** Mean and sample standard deviation (n - 1); std is 0 for a single value, both NaN for none. */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}
