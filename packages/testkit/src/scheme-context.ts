import type { Batch, Dataset, SchemeContext } from '@distillery/core';

/** What the Trainer hands a scheme's prepare() for `dataset`, for tests that drive a scheme by hand. */
export function schemeContextFor(dataset: Dataset, batchSize = 16, epochs = 1, seed = 0): SchemeContext {
  const stepsPerEpoch = Math.ceil(dataset.size / batchSize);
  return { numClasses: dataset.numClasses, inputShape: dataset.inputShape, datasetSize: dataset.size, epochs, stepsPerEpoch, totalSteps: stepsPerEpoch * epochs, seed, train: dataset };
}

/** The first un-shuffled batch of `dataset` (dispose it with disposeBatch). */
export function firstBatch(dataset: Dataset, batchSize = 16): Batch {
  for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) return batch;
  throw new Error(`dataset "${dataset.name}" yields no batch`);
}
