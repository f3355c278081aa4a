import type { Dataset } from '@distillery/core';
import { noiseDataset } from '@distillery/data-free';
import type { RunConfig } from '../plan/run-config.js';
import { inputShapeOf } from '../models/build-model.js';

/**
 * The transfer set of a run that trains on no images of the dataset (config.syntheticSet), or undefined:
 * stepsPerEpoch x batchSize seeded samples in the run's view (sample i is the same values in every epoch;
 * the order is reshuffled), drawn from the row's noise or, for schemes that never read batch contents, N(0, 1).
 */
export function syntheticTrainingSet(config: Pick<RunConfig, 'syntheticSet' | 'batchSize' | 'view' | 'seed'>, numClasses: number): Dataset | undefined {
  const set = config.syntheticSet;
  if (!set) return undefined;
  const noise = set.noise;
  return noiseDataset({
    size: set.stepsPerEpoch * config.batchSize,
    inputShape: inputShapeOf(config.view),
    numClasses,
    seed: config.seed,
    ...(noise ? { mean: noise.mean, std: noise.std, distribution: noise.distribution, name: `noise-${noise.distribution}` } : { name: 'clock' }),
  });
}
