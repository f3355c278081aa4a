import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, EmptyDatasetError } from '@distillery/core';
import { labelsPerClass, split, take } from '../../src/index.js';
import { languageModelWindows, SEP_ID, tokenStream, TokenDataset, windowCount, WordPieceTokenizer } from '../../src/index.js';
import { collect } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tokenDataset(size: number, length: number, vocabSize = 50): TokenDataset {
  const inputs = Float32Array.from({ length: size * length }, (_, i) => (i * 7) % vocabSize);
  const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
  return new TokenDataset({ name: 'tokens', inputs, labels, inputShape: [length], numClasses: 3, vocabSize });
}

describe('TokenDataset', () => {
  it('yields int32 token ids [batch, length] with exactly the stored ids', () => {
    const ds = tokenDataset(5, 4);
    const batches = collect(ds.batches({ batchSize: 2, shuffle: false, seed: 0, epoch: 0 }));
    expect(batches.map((b) => b.dtypes)).toEqual(new Array(3).fill(['int32', 'int32', 'int32']));
    expect(batches.map((b) => b.shape)).toEqual([[2, 4], [2, 4], [1, 4]]);
    expect(batches.flatMap((b) => Array.from(b.x))).toEqual(Array.from(ds.inputs));
    expect(Array.from(ds.tokenIds(1))).toEqual([28, 35, 42, 49]);
  });

  it('stays a TokenDataset (int32 batches) through subsets and views', () => {
    const ds = tokenDataset(30, 3);
    const parts = [take(ds, 4), labelsPerClass(ds, 2, 1), split(ds, 0.2, 3).validation, ds.withTransform(undefined)];
    for (const part of parts) {
      expect(part).toBeInstanceOf(TokenDataset);
      const [first] = collect(part.batches({ batchSize: 4, shuffle: true, seed: 1, epoch: 0 }));
      expect(first?.dtypes[0]).toBe('int32');
    }
  });

  it('leaks no tensors and rejects values that are not ids of the vocabulary', () => {
    const ds = tokenDataset(6, 2);
    const before = tf.memory().numTensors;
    for (const batch of ds.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 })) tf.dispose([batch.x, batch.y, batch.index]);
    expect(tf.memory().numTensors).toBe(before);
    const make = (values: number[], vocabSize = 10) =>
      new TokenDataset({ name: 'bad', inputs: Float32Array.from(values), labels: [0], inputShape: [values.length], numClasses: 1, vocabSize });
    expect(() => make([1, 2.5])).toThrow(ConfigError);
    expect(() => make([1, -1])).toThrow(ConfigError);
    expect(() => make([1, 10])).toThrow(/not a token id in \[0, 10\)/);
    expect(make([0, 9]).size).toBe(1);
  });
});

describe('language-model windows', () => {
  it('takes L tokens as x and the following token as y, so targets are the shifted tokens', () => {
    const stream = Int32Array.from({ length: 11 }, (_, i) => 10 + i); // 10..20
    const ds = languageModelWindows(stream, { length: 4, stride: 3, vocabSize: 30 });
    expect([ds.size, ds.numClasses, ds.inputShape]).toEqual([3, 30, [4]]);
    const [batch] = collect(ds.batches({ batchSize: 8, shuffle: false, seed: 0, epoch: 0 }));
    if (!batch) throw new Error('no batch');
    expect(Array.from(batch.x)).toEqual([10, 11, 12, 13, 13, 14, 15, 16, 16, 17, 18, 19]);
    expect(Array.from(batch.y)).toEqual([14, 17, 20]);
    // targets = concat(tokens[:, 1:], labels[:, None]) are the stream shifted by one, window by window.
    for (let w = 0; w < 3; w++) {
      const x = Array.from(batch.x.subarray(w * 4, w * 4 + 4));
      const targets = [...x.slice(1), batch.y[w] as number];
      expect(targets).toEqual(Array.from(stream.subarray(w * 3 + 1, w * 3 + 5)));
    }
  });

  it('counts windows exactly and fails clearly on streams too short for one', () => {
    expect([windowCount(5, 4, 1), windowCount(4, 4, 1), windowCount(100, 10, 10), windowCount(101, 10, 10), windowCount(10, 3, 2)]).toEqual([1, 0, 9, 10, 4]);
    expect(languageModelWindows(Int32Array.from({ length: 101 }, (_, i) => i % 7), { length: 10, vocabSize: 7 }).size).toBe(10);
    expect(() => languageModelWindows([1, 2, 3], { length: 3, vocabSize: 5 })).toThrow(EmptyDatasetError);
    expect(() => languageModelWindows([1, 2, 3, 4], { length: 2, stride: 0, vocabSize: 5 })).toThrow(ConfigError);
    expect(() => languageModelWindows([1, 9, 2, 4], { length: 2, vocabSize: 5 })).toThrow(ConfigError);
    expect(() => languageModelWindows([1, 2, 9, 4], { length: 2, vocabSize: 5 })).toThrow(expect.objectContaining({ code: 'LABEL_OUT_OF_RANGE' }));
  });

  it('streams texts as pieces followed by [SEP], capped per text', () => {
    const tokenizer = WordPieceTokenizer.train(['hello world hello world', 'hello there'], { vocabSize: 40, minFrequency: 1 });
    const hello = tokenizer.tokenIds('hello');
    const world = tokenizer.tokenIds('world');
    expect(Array.from(tokenStream(tokenizer, ['hello world', 'hello']))).toEqual([...hello, ...world, SEP_ID, ...hello, SEP_ID]);
    expect(Array.from(tokenStream(tokenizer, ['hello world', 'world'], hello.length))).toEqual([...hello, SEP_ID, ...world.slice(0, hello.length), SEP_ID]);
  });
});
