import type { MethodRow, NoiseSpec } from './schema.js';
import type { SuiteIssue } from './suite-error.js';

/**
 * The transfer set of a row that trains on no images of the dataset: `stepsPerEpoch` x batchSize seeded
 * samples, which are random noise the student learns from (noise rows) or a clock whose contents the
 * scheme never reads (data-free synthesis: it only counts the batches).
 */
export interface SyntheticSet {
  readonly stepsPerEpoch: number;
  readonly noise: NoiseSpec | undefined;
}

export function syntheticSetOf(row: MethodRow): SyntheticSet | undefined {
  return row.stepsPerEpoch === undefined ? undefined : { stepsPerEpoch: row.stepsPerEpoch, noise: row.noise };
}

/**
 * A row's training-set settings against what its scheme reads: a scheme that never reads batch contents
 * must be told its steps per epoch (rather than silently taking them from the dataset's size) and has no use
 * for data subsets or noise; a scheme that reads them takes stepsPerEpoch only with noise.
 */
export function checkTrainingSet(row: MethodRow, scheme: string, readsTrainingSet: boolean, path: string, issues: SuiteIssue[]): void {
  if (!readsTrainingSet) {
    if (row.stepsPerEpoch === undefined) {
      issues.push({
        path: `${path}.stepsPerEpoch`,
        message: `scheme "${scheme}" never reads the training set (each step synthesises batchSize inputs): give stepsPerEpoch, the trainer's steps per epoch`,
      });
    }
    if (row.noise !== undefined) issues.push({ path: `${path}.noise`, message: `scheme "${scheme}" never reads the training set, so noise would have no effect: remove it` });
    if (row.data !== undefined) issues.push({ path: `${path}.data`, message: `scheme "${scheme}" never reads the training set, so data settings would have no effect: remove them` });
    return;
  }
  if (row.stepsPerEpoch !== undefined && row.noise === undefined) {
    issues.push({
      path: `${path}.stepsPerEpoch`,
      message: `scheme "${scheme}" trains on the dataset's images, whose size sets the steps per epoch: remove stepsPerEpoch (or add noise to train on random noise)`,
    });
  }
}
