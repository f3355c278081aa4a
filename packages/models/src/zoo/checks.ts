import { ConfigError } from '@distillery/core';

export function requirePositiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${what} must be a positive integer, got ${value}`, 'check the model options');
  }
}

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

export function requireRate(what: string, rate: number): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new ConfigError(`${what} ${rate} is outside [0, 1)`, 'use e.g. 0.5 for hidden layers and 0.2 for inputs');
  }
}

export function requireShape(what: string, shape: readonly number[]): void {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ConfigError(`${what} [${shape.join(', ')}] is not a list of positive integers`, 'give the per-sample shape, e.g. [28, 28, 1]');
  }
}
