import { ConfigError } from '@distillery/core';
import { checkPositiveInteger } from '../shape.js';
import type { TextCorpus } from './corpus.js';
import { SEP_ID } from './specials.js';
import { tokenizerFor } from './text-datasets.js';
import type { TokenizerSource } from './text-datasets.js';
import { TokenDataset } from './token-dataset.js';
import type { WordPieceTokenizer } from './wordpiece.js';

export interface LanguageModelWindowOptions {
  /** tokens per window (the model's sequence length L) */
  readonly length: number;
  /** tokens between window starts; default `length` (no overlap) */
  readonly stride?: number;
  /** numClasses of the dataset: next-token targets range over the vocabulary */
  readonly vocabSize: number;
  readonly name?: string;
}

/** How many windows a stream of n tokens gives: every start s with s + length < n (a next token exists). */
export function windowCount(n: number, length: number, stride: number): number {
  return n > length ? Math.floor((n - length - 1) / stride) + 1 : 0;
}

/**
 * Next-token windows over one token stream: window w is x = ids[s .. s + L) with s = w * stride and
 * y = ids[s + L], the token after the window (the text contract's `labels`), so the targets at every
 * position are concat(x[1:], y). numClasses = vocabSize. A stream of n <= L tokens has no window and
 * throws EmptyDatasetError.
 */
export function languageModelWindows(tokenIds: ArrayLike<number>, options: LanguageModelWindowOptions): TokenDataset {
  const { length, vocabSize } = options;
  const stride = options.stride ?? length;
  checkPositiveInteger('length', length);
  checkPositiveInteger('stride', stride);
  const count = windowCount(tokenIds.length, length, stride);
  const inputs = new Float32Array(count * length);
  const labels = new Int32Array(count);
  for (let w = 0; w < count; w++) {
    const start = w * stride;
    for (let j = 0; j < length; j++) inputs[w * length + j] = tokenIds[start + j] as number;
    labels[w] = tokenIds[start + length] as number;
  }
  return new TokenDataset({ name: options.name ?? `lm-windows-${length}`, inputs, labels, inputShape: [length], numClasses: vocabSize, vocabSize });
}

/**
 * One token stream from many texts: each text's pieces (at most maxTokensPerText of them) followed by
 * [SEP], so windows may cross a message boundary the way GPT-style training does, with [SEP] marking it.
 */
export function tokenStream(tokenizer: WordPieceTokenizer, texts: readonly string[], maxTokensPerText = Infinity): Int32Array {
  if (!(maxTokensPerText >= 1)) throw new ConfigError(`maxTokensPerText must be >= 1, got ${maxTokensPerText}`, 'cap long messages at e.g. 512 tokens, or leave it out');
  const ids: number[] = [];
  for (const text of texts) {
    for (const id of tokenizer.tokenIds(text, maxTokensPerText)) ids.push(id);
    ids.push(SEP_ID);
  }
  return Int32Array.from(ids);
}

export interface LanguageModelDatasetsOptions extends TokenizerSource {
  readonly length: number;
  readonly stride?: number;
  /** cap on tokens taken from one message (a few spam bodies are 100k+ characters) */
  readonly maxTokensPerText?: number;
}

export interface LanguageModelDatasets {
  readonly tokenizer: WordPieceTokenizer;
  readonly train: TokenDataset;
  readonly validation: TokenDataset;
  readonly test: TokenDataset;
}

/**
 * Causal language-model data from a corpus's message bodies (labels ignored): one stream per split, so
 * windows never mix splits, and a tokenizer fitted on the training split unless one is given.
 */
export function languageModelDatasets(corpus: TextCorpus, options: LanguageModelDatasetsOptions): LanguageModelDatasets {
  const tokenizer = tokenizerFor(corpus.train.texts, options);
  const windows = (texts: readonly string[], part: string): TokenDataset =>
    languageModelWindows(tokenStream(tokenizer, texts, options.maxTokensPerText), {
      length: options.length,
      ...(options.stride !== undefined ? { stride: options.stride } : {}),
      vocabSize: tokenizer.vocabSize,
      name: `${corpus.name}-lm-${part}`,
    });
  return {
    tokenizer,
    train: windows(corpus.train.texts, 'train'),
    validation: windows(corpus.validation.texts, 'validation'),
    test: windows(corpus.test.texts, 'test'),
  };
}
