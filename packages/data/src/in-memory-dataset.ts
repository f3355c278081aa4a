import * as tf from '@tensorflow/tfjs';
import { ConfigError, InputShapeError } from '@distillery/core';
import type { Batch, BatchOptions, Dataset } from '@distillery/core';
import { createRng, mixSeed, permutation } from './random.js';
import { checkPositiveInteger, checkShape, imageDims, shapeSize } from './shape.js';
import type { BatchTransform } from './transforms.js';
import { checkedLabels, checkFinite, checkLayout } from './validate.js';
import { padImages } from './views.js';

export interface InMemoryDatasetOptions {
  readonly name: string;
  /** N x prod(inputShape) values, sample-major; not copied, so do not mutate it afterwards */
  readonly inputs: Float32Array;
  /** N integer class ids in [0, numClasses) */
  readonly labels: Int32Array | readonly number[];
  /** shape of one sample as the model sees it, e.g. [28, 28, 1] or [784] */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /**
   * How each row is laid out as an image ([height, width, channels]) for transforms such as random
   * translation; defaults to inputShape. A flattened MNIST view keeps [28, 28, 1] here so it can still jitter.
   */
  readonly imageShape?: readonly number[];
  /** a stable id per sample in the data it came from (file order); defaults to 0..N-1 */
  readonly sourceIds?: Int32Array;
  /** optional per-batch augmentation; batches then carry augmented: true */
  readonly transform?: BatchTransform;
}

// Stream tags keep the shuffle and the augmentation draws independent for the same (seed, epoch).
const SHUFFLE_STREAM = 0x5348_5546;
const TRANSFORM_STREAM = 0x5452_4e53;

/**
 * A labelled dataset held in one Float32Array. Batches copy their rows into a fresh array and become
 * one tensor each, so no tensor ever holds the whole dataset; the consumer disposes each batch.
 */
export class InMemoryDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly inputShape: readonly number[];
  readonly imageShape: readonly number[];
  readonly numClasses: number;
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
  readonly sourceIds: Int32Array;
  readonly transform: BatchTransform | undefined;
  /** elements per sample: prod(inputShape) */
  readonly rowLength: number;

  constructor(options: InMemoryDatasetOptions) {
    const { name, inputs, labels, numClasses } = options;
    const inputShape = [...options.inputShape];
    const imageShape = [...(options.imageShape ?? inputShape)];
    checkLayout(name, inputShape, imageShape, numClasses, inputs.length, labels.length);
    this.rowLength = shapeSize(inputShape);
    this.labels = checkedLabels(labels, numClasses);
    checkFinite(inputs, this.rowLength);
    if (options.sourceIds && options.sourceIds.length !== labels.length) {
      throw new ConfigError(`dataset "${name}" has ${options.sourceIds.length} source ids for ${labels.length} samples`, 'give one source id per sample');
    }
    options.transform?.check(imageShape);
    this.name = name;
    this.size = labels.length;
    this.inputShape = Object.freeze(inputShape);
    this.imageShape = Object.freeze(imageShape);
    this.numClasses = numClasses;
    this.inputs = inputs;
    this.sourceIds = options.sourceIds ?? Int32Array.from({ length: labels.length }, (_, i) => i);
    this.transform = options.transform;
  }

  /**
   * Yields batches in dataset order, or in a Fisher-Yates order that depends only on (seed, epoch).
   * Options are checked now, tensors are made lazily: stopping early leaks nothing.
   */
  batches(options: BatchOptions): Iterable<Batch> {
    const { batchSize, shuffle, seed, epoch } = options;
    const dropRemainder = options.dropRemainder ?? false;
    checkPositiveInteger('batchSize', batchSize);
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new ConfigError(`epoch must be a non-negative integer, got ${epoch}`, 'count epochs from 0');
    }
    const order = shuffle ? permutation(this.size, createRng(mixSeed(seed, epoch, SHUFFLE_STREAM))) : undefined;
    // Checked even without a transform, so a bad seed fails the same way with and without augmentation.
    mixSeed(seed, epoch, TRANSFORM_STREAM);
    if (dropRemainder && this.size < batchSize) {
      throw new ConfigError(
        `dataset "${this.name}" has ${this.size} samples, fewer than one batch of ${batchSize}, and dropRemainder is set`,
        'lower batchSize or turn dropRemainder off',
      );
    }
    const count = dropRemainder ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
    return this.generateBatches(order, batchSize, count, seed, epoch);
  }

  private *generateBatches(order: Int32Array | undefined, batchSize: number, count: number, seed: number, epoch: number): Generator<Batch> {
    for (let b = 0; b < count; b++) {
      const start = b * batchSize;
      const size = Math.min(batchSize, this.size - start);
      yield this.makeBatch(order, start, size, seed, epoch, b);
    }
  }

  private makeBatch(order: Int32Array | undefined, start: number, size: number, seed: number, epoch: number, batchNumber: number): Batch {
    const { rowLength, inputs, labels } = this;
    const x = new Float32Array(size * rowLength);
    const y = new Int32Array(size);
    const index = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const sample = order ? (order[start + i] as number) : start + i;
      x.set(inputs.subarray(sample * rowLength, (sample + 1) * rowLength), i * rowLength);
      y[i] = labels[sample] as number;
      index[i] = sample;
    }
    const transform = this.transform;
    if (transform) transform.apply(x, size, this.imageShape, createRng(mixSeed(seed, epoch, batchNumber, TRANSFORM_STREAM)));
    return {
      x: tf.tensor(x, [size, ...this.inputShape], 'float32'),
      y: tf.tensor1d(y, 'int32'),
      index: tf.tensor1d(index, 'int32'),
      size,
      augmented: transform !== undefined,
    };
  }

  /** Sample i's values: a view into the dataset's array, not a copy. */
  input(i: number): Float32Array {
    return this.inputs.subarray(i * this.rowLength, (i + 1) * this.rowLength);
  }

  /** Samples per class, indexed by class id. */
  classCounts(): Int32Array {
    const counts = new Int32Array(this.numClasses);
    for (const label of this.labels) counts[label] = (counts[label] as number) + 1;
    return counts;
  }

  /** The same data with other fields changed; shares the arrays. */
  with(changes: Partial<InMemoryDatasetOptions>): InMemoryDataset {
    return new InMemoryDataset({ ...this.options(), ...changes });
  }

  /** The same samples with a per-batch augmentation (or none, with undefined). Keep the plain one for evaluation. */
  withTransform(transform: BatchTransform | undefined): InMemoryDataset {
    return this.with({ transform });
  }

  /** A view with each sample as a vector (e.g. [28, 28, 1] -> [784]) for MLPs; shares the array. */
  flattened(): InMemoryDataset {
    return this.reshaped([this.rowLength]);
  }

  /** A view with another sample shape of the same size; shares the array and keeps imageShape for transforms. */
  reshaped(inputShape: readonly number[]): InMemoryDataset {
    checkShape('reshape target', inputShape);
    if (shapeSize(inputShape) !== this.rowLength) throw new InputShapeError(`reshape of dataset "${this.name}"`, this.inputShape, inputShape);
    return this.with({ inputShape });
  }

  /** A copy with images zero-padded (centred) to height x width, e.g. 28x28 -> 32x32 for LeNet-5. */
  padded(height: number, width: number = height): InMemoryDataset {
    const dims = imageDims(`padded() on dataset "${this.name}"`, this.imageShape);
    const inputs = padImages(this.inputs, this.size, dims, height, width);
    const imageShape = [height, width, dims.channels];
    return this.with({ name: `${this.name}/pad${height}x${width}`, inputs, inputShape: imageShape, imageShape });
  }

  private options(): InMemoryDatasetOptions {
    return {
      name: this.name,
      inputs: this.inputs,
      labels: this.labels,
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      imageShape: this.imageShape,
      sourceIds: this.sourceIds,
      transform: this.transform,
    };
  }
}
