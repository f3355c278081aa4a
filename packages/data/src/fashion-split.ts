import { DataFileError } from './errors.js';
import { createRng, mixSeed, shuffleInPlace } from './random.js';

/** Seed of the Fashion-MNIST split: the paper's arXiv date (2017-08-25). Changing it changes the split. */
export const FASHION_SPLIT_SEED = 20_170_825;
/** Test images per class: 10 x 1,000 = 10,000, the size of the official test set. */
export const FASHION_TEST_PER_CLASS = 1000;
const TRAIN_ORDER_STREAM = 0x5452_4149;
const TEST_ORDER_STREAM = 0x5445_5354;

export interface FashionSplitIds {
  /** source ids (positions in all images in file order) of the training images, in their final order */
  readonly train: Int32Array;
  readonly test: Int32Array;
}

// Two 32-bit hashes (FNV-1a and a murmur-style mix) give a 53-bit key; equal keys are still compared byte by byte.
function rowKey(pixels: Uint8Array, start: number, length: number): number {
  let a = 0x811c_9dc5;
  let b = 0x0100_0193;
  for (let i = start; i < start + length; i++) {
    const value = pixels[i] as number;
    a = Math.imul(a ^ value, 0x0100_0193);
    b = Math.imul(b ^ value, 0x5bd1_e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x20_0000 + ((b >>> 0) & 0x1f_ffff);
}

function sameRow(pixels: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (pixels[a * length + i] !== pixels[b * length + i]) return false;
  return true;
}

/** Marks every image whose exact pixels occur more than once (in any class). */
export function markDuplicates(pixels: Uint8Array, count: number, rowLength: number): Uint8Array {
  const duplicated = new Uint8Array(count);
  const seen = new Map<number, number[]>();
  for (let id = 0; id < count; id++) {
    const key = rowKey(pixels, id * rowLength, rowLength);
    const bucket = seen.get(key);
    if (!bucket) {
      seen.set(key, [id]);
      continue;
    }
    for (const other of bucket) {
      if (sameRow(pixels, id, other, rowLength)) {
        duplicated[id] = 1;
        duplicated[other] = 1;
      }
    }
    bucket.push(id);
  }
  return duplicated;
}

/**
 * The deterministic Fashion-MNIST split (documented in the README):
 * 1. candidates for test are the images whose pixels occur exactly once in the package, so no test
 *    image has a pixel-identical twin in train;
 * 2. for each class c, its candidates in file order are shuffled (Fisher-Yates with
 *    createRng(mixSeed(FASHION_SPLIT_SEED, c))) and the first 1,000 go to test; all other images train;
 * 3. each split is sorted by source id, then shuffled once with its own seed, so any prefix
 *    (the `limit` option) is class-balanced in expectation.
 */
export function fashionSplitIds(labels: Int32Array, duplicated: Uint8Array, numClasses: number, source: string): FashionSplitIds {
  const isTest = new Uint8Array(labels.length);
  for (let c = 0; c < numClasses; c++) {
    const candidates: number[] = [];
    for (let id = 0; id < labels.length; id++) if (labels[id] === c && !duplicated[id]) candidates.push(id);
    if (candidates.length < FASHION_TEST_PER_CLASS) {
      throw new DataFileError(source, `class ${c} has only ${candidates.length} distinct images, fewer than the ${FASHION_TEST_PER_CLASS} the test split needs`);
    }
    shuffleInPlace(candidates, createRng(mixSeed(FASHION_SPLIT_SEED, c)));
    for (let k = 0; k < FASHION_TEST_PER_CLASS; k++) isTest[candidates[k] as number] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let id = 0; id < labels.length; id++) (isTest[id] ? test : train).push(id);
  return {
    train: shuffleInPlace(Int32Array.from(train), createRng(mixSeed(FASHION_SPLIT_SEED, TRAIN_ORDER_STREAM))),
    test: shuffleInPlace(Int32Array.from(test), createRng(mixSeed(FASHION_SPLIT_SEED, TEST_ORDER_STREAM))),
  };
}
