import { ConfigError } from '@distillery/core';

/** Number of elements in one sample of this shape. */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Throws a ConfigError unless every dimension is a positive integer. */
export function checkShape(what: string, shape: readonly number[]): void {
  if (shape.length === 0 || shape.some((dim) => !Number.isInteger(dim) || dim < 1)) {
    throw new ConfigError(`${what} [${shape.join(', ')}] is not a list of positive integers`, 'give every dimension as a positive integer, e.g. [28, 28, 1]');
  }
}

/** Reads [height, width, channels] from a rank-3 image shape; ConfigError otherwise. */
export function imageDims(what: string, shape: readonly number[]): { height: number; width: number; channels: number } {
  const [height, width, channels] = shape;
  if (shape.length !== 3 || height === undefined || width === undefined || channels === undefined) {
    throw new ConfigError(`${what} needs images of shape [height, width, channels], got [${shape.join(', ')}]`, 'use it on image data (MNIST, CIFAR) before flattening, or give the dataset an imageShape');
  }
  return { height, width, channels };
}

export function checkPositiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${what} must be a positive integer, got ${value}`, `set ${what} to an integer >= 1`);
  }
}
