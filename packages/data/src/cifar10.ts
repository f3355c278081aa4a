import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@distillery/core';
import { CIFAR_RECORD_BYTES, cifarRecordCount, decodeCifarRecords } from './cifar-format.js';
import { DataFileError } from './errors.js';
import { InMemoryDataset } from './in-memory-dataset.js';
import { checkLimit, checkSplit } from './split-options.js';
import type { DataSplit } from './split-options.js';
import { dataFileSize, readDataFile } from './package-files.js';

export interface LoadCifar10Options {
  /** the folder with data_batch_1.bin .. data_batch_5.bin and test_batch.bin, or its parent holding cifar-10-batches-bin */
  readonly directory: string;
  readonly split: DataSplit;
  /** keep only the first `limit` records in file order */
  readonly limit?: number;
}

export const CIFAR10_FILES: Readonly<Record<DataSplit, readonly string[]>> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};

const HINT = 'download and extract https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and pass its cifar-10-batches-bin folder';
const ROW = 32 * 32 * 3;

function batchesFolder(directory: string): string {
  if (typeof directory !== 'string' || directory === '') throw new ConfigError('loadCifar10 needs a directory', HINT);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new DataFileError(directory, 'is not a folder', HINT);
  const nested = join(directory, 'cifar-10-batches-bin');
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : directory;
}

/**
 * CIFAR-10 from the official binary files in a local folder (no npm package ships it): shape [32, 32, 3]
 * (HWC), values / 255 in [0, 1], labels 0..9. Train is data_batch_1..5 in order, test is test_batch.
 */
export function loadCifar10(options: LoadCifar10Options): InMemoryDataset {
  const { split, limit } = options;
  checkSplit(split);
  checkLimit(limit);
  const folder = batchesFolder(options.directory);
  const paths = CIFAR10_FILES[split].map((file) => join(folder, file));
  // Check every file before reading any, so a missing one fails fast and by name.
  const counts = paths.map((path) => cifarRecordCount(dataFileSize(path, HINT), path));
  const total = counts.reduce((sum, count) => sum + count, 0);
  const n = Math.min(total, limit ?? total);
  const inputs = new Float32Array(n * ROW);
  const labels = new Int32Array(n);
  let row = 0;
  for (let f = 0; f < paths.length && row < n; f++) {
    const path = paths[f] as string;
    const bytes = readDataFile(path, HINT);
    if (bytes.length !== (counts[f] as number) * CIFAR_RECORD_BYTES) throw new DataFileError(path, 'changed size while being read', HINT);
    const take = Math.min(counts[f] as number, n - row);
    decodeCifarRecords(bytes, take, inputs, labels, row);
    row += take;
  }
  return new InMemoryDataset({
    name: n === total ? `cifar10-${split}` : `cifar10-${split}/first-${n}`,
    inputs,
    labels,
    inputShape: [32, 32, 3],
    numClasses: 10,
  });
}
