import { ConfigError } from '@distillery/core';

/** Option checks the response losses need beyond ../options.ts (weights, fractions, probabilities). */

export function requireNonNegativeNumber(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${loss}: ${option} must be a finite number >= 0, got ${String(value)}`, hint);
  }
  return value;
}

/** A fraction of training, in [0, 1]. */
export function requireFraction(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`${loss}: ${option} must be a number in [0, 1], got ${String(value)}`, hint);
  }
  return value;
}

/** A probability strictly between 0 and 1 (its log and the log of its complement are finite). */
export function requireOpenUnitInterval(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new ConfigError(`${loss}: ${option} must be a number in (0, 1), got ${String(value)}`, hint);
  }
  return value;
}

export function requirePositiveInteger(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${loss}: ${option} must be an integer >= 1, got ${String(value)}`, hint);
  }
  return value;
}
