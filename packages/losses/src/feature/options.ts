import { ConfigError } from '@distillery/core';

/**
 * Option checks of the feature and relation losses (tap names and lists), on top of core's generic ones
 * (requirePositive, requireInRange, ...). Options arrive from JSON suite files as well as from
 * TypeScript, so every value is checked at run time.
 */

export function requireTapList(loss: string, option: string, value: unknown, minimum = 1): string[] {
  const valid = Array.isArray(value) && value.length >= minimum && value.every((v) => typeof v === 'string' && v.length > 0);
  if (!valid) {
    throw new ConfigError(
      `${loss}: ${option} must be a list of at least ${minimum} feature tap name${minimum === 1 ? '' : 's'}, got ${JSON.stringify(value)}`,
      `name the model's feature taps, e.g. ${option}: [${Array.from({ length: minimum }, (_, i) => `"conv${i + 1}"`).join(', ')}]`,
    );
  }
  return [...(value as string[])];
}

export function requireTapName(loss: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${loss}: ${option} must be a feature tap name, got ${JSON.stringify(value)}`, `set ${option} to one of the model's tap names, e.g. "hidden1"`);
  }
  return value;
}

/** Student and teacher taps are matched by position, so the lists must be equally long. */
export function requireSameLength(loss: string, student: readonly string[], teacher: readonly string[]): void {
  if (student.length !== teacher.length) {
    throw new ConfigError(
      `${loss}: studentFeatures has ${student.length} taps but teacherFeatures has ${teacher.length}`,
      'taps are paired by position: list one teacher tap for every student tap',
    );
  }
}

export function requireFiniteNumberList(loss: string, option: string, value: unknown, hint: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ConfigError(`${loss}: ${option} must be a list of finite numbers, got ${JSON.stringify(value)}`, hint);
  }
  return [...(value as number[])];
}
