// Browser-safe entry: no file system. Loaders that read files live in "@distillery/data/node".
export { InMemoryDataset } from './in-memory-dataset.js';
export type { InMemoryDatasetOptions } from './in-memory-dataset.js';
export { createRng, mixSeed, permutation, shuffleInPlace } from './random.js';
export type { Rng } from './random.js';
export { randomTranslation, horizontalFlip, gaussianNoise, composeTransforms } from './transforms.js';
export type { BatchTransform } from './transforms.js';
export { selectSamples, take, labelsPerClass, withoutClasses, onlyClasses, split } from './subsets.js';
export type { OnlyClassesOptions, SplitOptions, SplitResult } from './subsets.js';
export { gaussianBlobs, blobCentres } from './blobs.js';
export type { GaussianBlobsOptions } from './blobs.js';
export { parseIdx, expectIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.js';
export type { IdxArray } from './idx.js';
export { CIFAR_RECORD_BYTES, cifarRecordCount, decodeCifarRecords } from './cifar-format.js';
export { parseFashionClassJson, FASHION_IMAGE_BYTES } from './fashion-json.js';
export type { FashionClassImages } from './fashion-json.js';
export { fashionSplitIds, markDuplicates, FASHION_SPLIT_SEED, FASHION_TEST_PER_CLASS } from './fashion-split.js';
export type { FashionSplitIds } from './fashion-split.js';
export { MNIST_CLASSES, FASHION_MNIST_CLASSES, CIFAR10_CLASSES } from './class-names.js';
export { DataFileError } from './errors.js';
export type { DataSplit } from './split-options.js';
// Text: a WordPiece tokenizer, token-id datasets (int32 batches), LM windows, the SpamAssassin split.
export * from './text/index.js';
