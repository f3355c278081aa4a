import { ConfigError } from '@distillery/core';
import type { TextCorpus, TextSplit } from './corpus.js';
import { lowLabelSplit } from './select-texts.js';
import type { LowLabelOptions } from './select-texts.js';
import { TokenDataset } from './token-dataset.js';
import { WordPieceTokenizer } from './wordpiece.js';
import type { WordPieceTrainOptions } from './wordpiece.js';

/** Either a tokenizer you have (e.g. loaded beside a model) or the options to train one on the train split. */
export interface TokenizerSource {
  readonly tokenizer?: WordPieceTokenizer;
  /** used only when no tokenizer is given; vocabSize defaults to 8,000 */
  readonly tokenizerOptions?: Partial<WordPieceTrainOptions>;
}

export const DEFAULT_VOCAB_SIZE = 8000;

/** The given tokenizer, or one trained on the training texts only. */
export function tokenizerFor(trainTexts: readonly string[], source: TokenizerSource): WordPieceTokenizer {
  if (source.tokenizer) return source.tokenizer;
  return WordPieceTokenizer.train(trainTexts, { vocabSize: DEFAULT_VOCAB_SIZE, ...source.tokenizerOptions });
}

export interface EncodeSplitOptions {
  readonly name: string;
  readonly maxLength: number;
  readonly numClasses: number;
}

/**
 * A split as a TokenDataset: each text encoded as [CLS] pieces [SEP], truncated to maxLength and
 * padded with [PAD] = 0, so samples have inputShape [maxLength]; batches yield int32 x.
 */
export function encodeSplit(tokenizer: WordPieceTokenizer, split: TextSplit, options: EncodeSplitOptions): TokenDataset {
  const { maxLength } = options;
  const inputs = new Float32Array(split.texts.length * maxLength);
  split.texts.forEach((text, i) => inputs.set(tokenizer.encode(text, { maxLength }).ids, i * maxLength));
  return new TokenDataset({
    name: options.name,
    inputs,
    labels: split.labels,
    inputShape: [maxLength],
    numClasses: options.numClasses,
    vocabSize: tokenizer.vocabSize,
  });
}

export interface TextClassificationDatasetsOptions extends TokenizerSource {
  /** tokens per sample, [CLS] and [SEP] included */
  readonly maxLength: number;
  /** keep perClass labelled training texts and give the rest of train as `unlabelled` transfer data */
  readonly lowLabel?: LowLabelOptions;
}

export interface TextClassificationDatasets {
  readonly tokenizer: WordPieceTokenizer;
  readonly train: TokenDataset;
  readonly validation: TokenDataset;
  readonly test: TokenDataset;
  /** with `lowLabel`: the training texts not kept as labelled (their labels are kept for evaluation only) */
  readonly unlabelled?: TokenDataset;
}

/**
 * Token-id datasets for a text classification corpus, with a tokenizer fitted on the training split
 * (all of it, labelled or not: fitting a vocabulary reads no labels) unless one is given.
 */
export function textClassificationDatasets(corpus: TextCorpus, options: TextClassificationDatasetsOptions): TextClassificationDatasets {
  if (!Number.isInteger(options.maxLength) || options.maxLength < 3) {
    throw new ConfigError(`maxLength must be an integer >= 3 ([CLS], a token, [SEP]), got ${options.maxLength}`, 'use e.g. 128');
  }
  const tokenizer = tokenizerFor(corpus.train.texts, options);
  const numClasses = corpus.classNames.length;
  const encode = (split: TextSplit, part: string): TokenDataset =>
    encodeSplit(tokenizer, split, { name: `${corpus.name}-${part}`, maxLength: options.maxLength, numClasses });
  const validation = encode(corpus.validation, 'validation');
  const test = encode(corpus.test, 'test');
  if (!options.lowLabel) return { tokenizer, train: encode(corpus.train, 'train'), validation, test };
  const { labelled, unlabelled } = lowLabelSplit(corpus.train, options.lowLabel);
  return {
    tokenizer,
    train: encode(labelled, `train/${options.lowLabel.perClass}-per-class`),
    validation,
    test,
    ...(unlabelled.texts.length > 0 ? { unlabelled: encode(unlabelled, 'train/unlabelled') } : {}),
  };
}
