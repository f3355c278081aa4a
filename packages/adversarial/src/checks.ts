import { ConfigError } from '@distillery/core';

/** Option checks: options arrive from JSON suite files too, so the types alone prove nothing. */

export function requirePositive(scheme: string, option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${scheme}: ${option} must be a finite number > 0, got ${String(value)}`, `pass a positive ${option}`);
  }
  return value;
}

export function requireNonNegative(scheme: string, option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${scheme}: ${option} must be a finite number >= 0, got ${String(value)}`, `${option} weights a term of the objective; 0 switches it off`);
  }
  return value;
}

export function requirePositiveInteger(scheme: string, option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${scheme}: ${option} must be an integer >= 1, got ${String(value)}`, `pass a whole number of ${option}`);
  }
  return value;
}

export function requireFraction(scheme: string, option: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ConfigError(`${scheme}: ${option} must lie in [0, 1], got ${String(value)}`, `${option} is a fraction of training (or a share of the objective)`);
  }
  return value;
}

export function requireChoice<T extends string>(scheme: string, option: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ConfigError(`${scheme}: unknown ${option} "${String(value)}"`, `${option} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value;
}

/** [low, high] with low < high, both finite. */
export function requireRange(scheme: string, option: string, value: readonly number[]): readonly [number, number] {
  const [low, high] = value;
  if (value.length !== 2 || low === undefined || high === undefined || !Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new ConfigError(`${scheme}: ${option} must be [low, high] with finite low < high, got [${value.join(', ')}]`, 'e.g. [0, 1] for images scaled to unit range');
  }
  return [low, high];
}
