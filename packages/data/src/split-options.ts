import { ConfigError } from '@distillery/core';
import { checkPositiveInteger } from './shape.js';

export type DataSplit = 'train' | 'test';

export function checkSplit(split: string): asserts split is DataSplit {
  if (split !== 'train' && split !== 'test') throw new ConfigError(`unknown split "${split}"`, 'use "train" or "test"');
}

export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined) checkPositiveInteger('limit', limit);
}
