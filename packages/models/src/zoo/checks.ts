import { ConfigError } from '@distillery/core';

// Model-specific checks. Sizes and dropout rates go through core's requirePositiveInteger and
// requireHalfOpenUnit, with these hints.
export const MODEL_OPTIONS_HINT = 'check the model options';
export const DROPOUT_HINT = 'use e.g. 0.5 for hidden layers and 0.2 for inputs';

export function requireClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new ConfigError(`numClasses must be an integer >= 2, got ${numClasses}`, 'use the dataset\'s numClasses');
  }
}

export function requireSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new ConfigError(`seed must be an integer, got ${seed}`, 'pass the run seed, e.g. seed: 1');
  }
}

export function requireShape(what: string, shape: readonly number[]): void {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ConfigError(`${what} [${shape.join(', ')}] is not a list of positive integers`, 'give the per-sample shape, e.g. [28, 28, 1]');
  }
}
