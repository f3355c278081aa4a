import { ConfigError } from '@distillery/core';

/**
 * Runtime checks for loss options. Options arrive from JSON suite files and queued jobs as well as from
 * TypeScript, so the types alone do not guarantee their domain.
 */

export function requirePositiveNumber(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${loss}: ${option} must be a finite number > 0, got ${String(value)}`, hint);
  }
  return value;
}

export function requireUnitInterval(loss: string, option: string, value: unknown, hint: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new ConfigError(`${loss}: ${option} must be a number in [0, 1), got ${String(value)}`, hint);
  }
  return value;
}

export function requireBoolean(loss: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ConfigError(`${loss}: ${option} must be true or false, got ${String(value)}`, `set ${option} to a boolean`);
  }
  return value;
}

export function requireOneOf<T extends string>(loss: string, option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      `${loss}: unknown ${option} "${String(value)}"`,
      `${option} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  return value as T;
}

/** A misspelt option would otherwise be silently ignored and the default used. */
export function rejectUnknownOptions(loss: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(`${loss}: unknown option "${key}"`, `known options: ${known.join(', ')}`);
    }
  }
}
