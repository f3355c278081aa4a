import type { TrainableModel } from '@distillery/core';

/** A model, or a factory that builds a fresh one from a seed (called once per run). */
export type ModelSource = TrainableModel | ((seed: number) => TrainableModel);

export function isFactory(source: ModelSource): source is (seed: number) => TrainableModel {
  return typeof source === 'function';
}

export function resolveModel(source: ModelSource, seed: number): TrainableModel {
  return isFactory(source) ? source(seed) : source;
}
