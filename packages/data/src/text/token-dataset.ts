import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import type { Batch, BatchOptions } from '@distillery/core';
import { InMemoryDataset } from '../in-memory-dataset.js';
import type { InMemoryDatasetOptions } from '../in-memory-dataset.js';

export interface TokenDatasetOptions extends InMemoryDatasetOptions {
  /** every id must be below this (the tokenizer's vocabulary size) */
  readonly vocabSize: number;
}

// Largest integer float32 holds exactly: ids are stored as float32 and must survive the round trip.
const MAX_EXACT_ID = 2 ** 24;
const checked = new WeakMap<Float32Array, number>();

function checkIds(name: string, inputs: Float32Array, vocabSize: number): void {
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > MAX_EXACT_ID) {
    throw new ConfigError(`token dataset "${name}": vocabSize must be an integer in [1, 2^24], got ${vocabSize}`, 'pass tokenizer.vocabSize');
  }
  const bound = checked.get(inputs);
  if (bound !== undefined && bound <= vocabSize) return;
  let largest = 0;
  for (let i = 0; i < inputs.length; i++) {
    const id = inputs[i] as number;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new ConfigError(`token dataset "${name}": value ${id} at element ${i} is not a token id in [0, ${vocabSize})`, 'encode the texts with the tokenizer whose vocabSize you pass');
    }
    if (id > largest) largest = id;
  }
  checked.set(inputs, largest + 1);
}

/**
 * An InMemoryDataset of token ids whose batches carry `x` as an int32 tensor [batch, length] (the text
 * contract). InMemoryDataset stores samples as float32, which holds every id below 2^24 exactly; each
 * batch is cast to int32 as it is made. Subsets and views (split, labelsPerClass, take, ...) stay
 * TokenDatasets, because they all go through `with`.
 */
export class TokenDataset extends InMemoryDataset {
  readonly vocabSize: number;

  constructor(options: TokenDatasetOptions) {
    super(options);
    checkIds(options.name, options.inputs, options.vocabSize);
    this.vocabSize = options.vocabSize;
  }

  override batches(options: BatchOptions): Iterable<Batch> {
    return castToInt32(super.batches(options));
  }

  override with(changes: Partial<TokenDatasetOptions>): TokenDataset {
    return new TokenDataset({
      name: this.name,
      inputs: this.inputs,
      labels: this.labels,
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      imageShape: this.imageShape,
      sourceIds: this.sourceIds,
      transform: this.transform,
      vocabSize: this.vocabSize,
      ...changes,
    });
  }

  /** Sample i's token ids as integers (a copy). */
  tokenIds(i: number): Int32Array {
    return Int32Array.from(this.input(i));
  }
}

function* castToInt32(batches: Iterable<Batch>): Generator<Batch> {
  for (const batch of batches) {
    const x = tf.cast(batch.x, 'int32');
    batch.x.dispose();
    yield { ...batch, x };
  }
}
