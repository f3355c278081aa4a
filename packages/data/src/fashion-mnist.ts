import { join } from 'node:path';
import { InMemoryDataset } from './in-memory-dataset.js';
import { FASHION_IMAGE_BYTES, parseFashionClassJson } from './fashion-json.js';
import { fashionSplitIds, markDuplicates } from './fashion-split.js';
import type { FashionSplitIds } from './fashion-split.js';
import { checkLimit, checkSplit } from './split-options.js';
import type { DataSplit } from './split-options.js';
import { packageFolder, readDataFile } from './package-files.js';
import { bytesToUnitFloats } from './pixels.js';

export interface LoadFashionMnistOptions {
  /** keep only the first `limit` samples of each split's (shuffled, documented) order */
  readonly limit?: number;
  /** a folder holding 0.json .. 9.json; defaults to the fashion-mnist package's src/clothes */
  readonly directory?: string;
}

export interface FashionMnistSplits {
  readonly train: InMemoryDataset;
  readonly test: InMemoryDataset;
}

const NUM_CLASSES = 10;

interface FashionImages {
  /** all images in file order (0.json first), 784 bytes each */
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  readonly ids: FashionSplitIds;
}

function readFashion(directory: string): FashionImages {
  const classes = Array.from({ length: NUM_CLASSES }, (_, c) => {
    const path = join(directory, `${c}.json`);
    return parseFashionClassJson(readDataFile(path, 'reinstall the fashion-mnist package or pass a directory holding 0.json .. 9.json'), path);
  });
  const total = classes.reduce((sum, images) => sum + images.count, 0);
  const pixels = new Uint8Array(total * FASHION_IMAGE_BYTES);
  const labels = new Int32Array(total);
  let offset = 0;
  classes.forEach((images, c) => {
    pixels.set(images.pixels, offset * FASHION_IMAGE_BYTES);
    labels.fill(c, offset, offset + images.count);
    offset += images.count;
  });
  const ids = fashionSplitIds(labels, markDuplicates(pixels, total, FASHION_IMAGE_BYTES), NUM_CLASSES, directory);
  return { pixels, labels, ids };
}

function buildSplit(images: FashionImages, split: DataSplit, limit: number | undefined): InMemoryDataset {
  const all = images.ids[split];
  const ids = limit !== undefined && limit < all.length ? all.slice(0, limit) : all;
  const inputs = new Float32Array(ids.length * FASHION_IMAGE_BYTES);
  const labels = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    bytesToUnitFloats(images.pixels.subarray(id * FASHION_IMAGE_BYTES, (id + 1) * FASHION_IMAGE_BYTES), inputs, i * FASHION_IMAGE_BYTES);
    labels[i] = images.labels[id] as number;
  });
  return new InMemoryDataset({
    name: ids.length === all.length ? `fashion-mnist-${split}` : `fashion-mnist-${split}/first-${ids.length}`,
    inputs,
    labels,
    inputShape: [28, 28, 1],
    numClasses: NUM_CLASSES,
    sourceIds: ids,
  });
}

function directoryOf(options: LoadFashionMnistOptions): string {
  checkLimit(options.limit);
  return options.directory ?? join(packageFolder('fashion-mnist'), 'src', 'clothes');
}

/**
 * Both splits of Fashion-MNIST from the fashion-mnist package, reading its files once. The package has
 * no official split; this one (fashionSplitIds, described in the README) gives 60,000 train / 10,000
 * test (1,000 per class) with no pixel-identical image on both sides. Shape [28, 28, 1], pixels / 255.
 * sourceIds are positions among all 70,000 images in file order (0.json first).
 */
export function loadFashionMnistSplits(options: LoadFashionMnistOptions = {}): FashionMnistSplits {
  const images = readFashion(directoryOf(options));
  return { train: buildSplit(images, 'train', options.limit), test: buildSplit(images, 'test', options.limit) };
}

/** One split of Fashion-MNIST (the files are read and split in full either way). */
export function loadFashionMnist(options: LoadFashionMnistOptions & { readonly split: DataSplit }): InMemoryDataset {
  checkSplit(options.split);
  return buildSplit(readFashion(directoryOf(options)), options.split, options.limit);
}
