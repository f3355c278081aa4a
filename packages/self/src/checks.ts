import { ConfigError } from '@distillery/core';

/** Option checks: options arrive from JSON suites and queued jobs too, so the types alone are not enough. */

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

export function requireUnit(scheme: string, option: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ConfigError(`${scheme}: ${option} must lie in [0, 1], got ${String(value)}`, `${option} mixes two targets or losses`);
  }
  return value;
}

export function requireChoice<T extends string>(scheme: string, option: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ConfigError(`${scheme}: unknown ${option} "${String(value)}"`, `${option} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value;
}
