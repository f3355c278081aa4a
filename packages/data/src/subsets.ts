import { ConfigError } from '@distillery/core';
import { InMemoryDataset } from './in-memory-dataset.js';
import { createRng, mixSeed, permutation } from './random.js';
import { checkPositiveInteger } from './shape.js';

const LABELS_STREAM = 0x4c41_4245;
const SPLIT_STREAM = 0x5350_4c54;

/**
 * A new dataset holding the given samples (positions in `dataset`, in the given order). Rows are copied,
 * labels, source ids and the transform carried over. An empty selection throws EmptyDatasetError.
 */
export function selectSamples(dataset: InMemoryDataset, positions: ArrayLike<number>, name: string): InMemoryDataset {
  const { rowLength } = dataset;
  const inputs = new Float32Array(positions.length * rowLength);
  const labels = new Int32Array(positions.length);
  const sourceIds = new Int32Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i] as number;
    if (!Number.isInteger(position) || position < 0 || position >= dataset.size) {
      throw new ConfigError(`sample position ${position} is outside dataset "${dataset.name}" (size ${dataset.size})`, 'select positions in [0, size)');
    }
    inputs.set(dataset.input(position), i * rowLength);
    labels[i] = dataset.labels[position] as number;
    sourceIds[i] = dataset.sourceIds[position] as number;
  }
  return dataset.with({ name, inputs, labels, sourceIds });
}

function positionsWhere(dataset: InMemoryDataset, keep: (label: number) => boolean): Int32Array {
  const positions: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (keep(dataset.labels[i] as number)) positions.push(i);
  return Int32Array.from(positions);
}

function classSet(dataset: InMemoryDataset, classes: readonly number[]): Set<number> {
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= dataset.numClasses) {
      throw new ConfigError(`class ${c} is not a class of dataset "${dataset.name}" (0..${dataset.numClasses - 1})`, 'list class ids in [0, numClasses)');
    }
  }
  return new Set(classes);
}

/** The first `count` samples (e.g. a quick smoke run); throws when count is not a positive integer. */
export function take(dataset: InMemoryDataset, count: number): InMemoryDataset {
  checkPositiveInteger('count', count);
  const n = Math.min(count, dataset.size);
  return selectSamples(dataset, Int32Array.from({ length: n }, (_, i) => i), `${dataset.name}/first-${n}`);
}

/**
 * Up to `perClass` samples of every class: the first ones met in a seeded random order of the whole
 * dataset, kept in their original relative order. Classes with fewer samples contribute all of them.
 */
export function labelsPerClass(dataset: InMemoryDataset, perClass: number, seed: number): InMemoryDataset {
  checkPositiveInteger('perClass', perClass);
  const order = permutation(dataset.size, createRng(mixSeed(seed, LABELS_STREAM)));
  const taken = new Int32Array(dataset.numClasses);
  const picked: number[] = [];
  for (const position of order) {
    const label = dataset.labels[position] as number;
    if ((taken[label] as number) < perClass) {
      taken[label] = (taken[label] as number) + 1;
      picked.push(position);
    }
  }
  picked.sort((a, b) => a - b);
  return selectSamples(dataset, picked, `${dataset.name}/${perClass}-per-class`);
}

/** Every sample whose class is not listed (e.g. MNIST without 3s); numClasses is unchanged. */
export function withoutClasses(dataset: InMemoryDataset, classes: readonly number[]): InMemoryDataset {
  const dropped = classSet(dataset, classes);
  return selectSamples(dataset, positionsWhere(dataset, (label) => !dropped.has(label)), `${dataset.name}/without-${[...dropped].join('-')}`);
}

export interface OnlyClassesOptions {
  /**
   * Relabel the kept classes 0..k-1 in the order listed and set numClasses = k. Off by default: KD
   * transfer-set experiments (e.g. only 7s and 8s) keep the full label space.
   */
  readonly remap?: boolean;
}

/** Only the samples of the listed classes. */
export function onlyClasses(dataset: InMemoryDataset, classes: readonly number[], options: OnlyClassesOptions = {}): InMemoryDataset {
  const kept = classSet(dataset, classes);
  const subset = selectSamples(dataset, positionsWhere(dataset, (label) => kept.has(label)), `${dataset.name}/only-${[...kept].join('-')}`);
  if (!options.remap) return subset;
  const newId = new Map([...kept].map((c, i) => [c, i]));
  const labels = subset.labels.map((label) => newId.get(label) as number);
  return subset.with({ labels, numClasses: kept.size });
}

export interface SplitOptions {
  /** split each class by the same fraction (rounded per class), so both parts keep the class balance */
  readonly stratify?: boolean;
}

export interface SplitResult {
  readonly train: InMemoryDataset;
  readonly validation: InMemoryDataset;
}

/**
 * Holds out `fraction` of the samples for validation, chosen by a seeded permutation; each part keeps
 * the original relative order. Without stratify the validation part has round(fraction * size) samples.
 */
export function split(dataset: InMemoryDataset, fraction: number, seed: number, options: SplitOptions = {}): SplitResult {
  if (!(fraction > 0 && fraction < 1)) {
    throw new ConfigError(`validation fraction ${fraction} is outside (0, 1)`, 'pass e.g. 0.1 to hold out 10% of the samples');
  }
  const order = permutation(dataset.size, createRng(mixSeed(seed, SPLIT_STREAM)));
  const isValidation = new Uint8Array(dataset.size);
  if (options.stratify) {
    const counts = dataset.classCounts();
    const quota = Array.from(counts, (count) => Math.round(count * fraction));
    for (const position of order) {
      const label = dataset.labels[position] as number;
      if ((quota[label] as number) > 0) {
        quota[label] = (quota[label] as number) - 1;
        isValidation[position] = 1;
      }
    }
  } else {
    const validationSize = Math.round(dataset.size * fraction);
    for (let i = 0; i < validationSize; i++) isValidation[order[i] as number] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < dataset.size; i++) (isValidation[i] ? validation : train).push(i);
  return {
    train: selectSamples(dataset, train, `${dataset.name}/train`),
    validation: selectSamples(dataset, validation, `${dataset.name}/validation`),
  };
}
