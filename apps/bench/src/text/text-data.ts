import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@distillery/core/node';
import { languageModelDatasets, lowLabelSplit, encodeSplit, selectSamples, selectTexts, WordPieceTokenizer, type InMemoryDataset, type SpamAssassinCorpus, type TextSplit } from '@distillery/data';
import { loadSpamAssassin } from '@distillery/data/node';
import type { RunConfig } from '../plan/run-config.js';
import { isTextConfig, type TextDatasetConfig } from './text-config.js';

/** Tokens taken from one message for LM windows when the suite does not say. */
export const DEFAULT_MAX_TOKENS_PER_TEXT = 256;

const corpora = new Map<string, Promise<SpamAssassinCorpus>>();
const tokenizers = new Map<string, WordPieceTokenizer>();
const prepared = new Map<string, { train: InMemoryDataset; test: InMemoryDataset }>();

/** The corpus of a task, parsed once per thread (the LM reads the three-way corpus's texts; labels unused). */
function corpusOf(task: 'three-way' | 'binary'): Promise<SpamAssassinCorpus> {
  let corpus = corpora.get(task);
  if (!corpus) {
    corpus = loadSpamAssassin({ task });
    corpora.set(task, corpus);
  }
  return corpus;
}

/**
 * The suite's tokenizer: read from `file` when it exists, else learned from the training split only and
 * written there atomically, so every row (and worker) of a suite encodes with the same vocabulary.
 */
export async function suiteTokenizer(dataset: TextDatasetConfig, file: string): Promise<WordPieceTokenizer> {
  const cached = tokenizers.get(file);
  if (cached) return cached;
  let tokenizer: WordPieceTokenizer;
  if (existsSync(file)) {
    tokenizer = WordPieceTokenizer.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  } else {
    const corpus = await corpusOf('three-way');
    tokenizer = WordPieceTokenizer.train(corpus.train.texts, { vocabSize: dataset.vocabSize });
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(tokenizer.toJSON()));
  }
  tokenizers.set(file, tokenizer);
  return tokenizer;
}

const keyOf = (config: Pick<RunConfig, 'dataset' | 'data' | 'seed'>): string =>
  JSON.stringify([config.dataset, config.data, config.data.labelsPerClass !== undefined && config.data.subsetSeed === undefined ? config.seed : 0]);

async function build(dataset: TextDatasetConfig, config: Pick<RunConfig, 'data' | 'seed'>, tokenizer: WordPieceTokenizer): Promise<{ train: InMemoryDataset; test: InMemoryDataset }> {
  const { data } = config;
  // N evenly spaced samples, not the first N: the corpus (and so the LM stream) is ordered by group, i.e. by class
  const limit = (d: InMemoryDataset, n: number | undefined): InMemoryDataset =>
    n !== undefined && n < d.size ? selectSamples(d, Array.from({ length: n }, (_, i) => Math.floor((i * d.size) / n)), `${d.name}/${n}`) : d;
  if (dataset.name === 'spam-assassin-lm') {
    const corpus = await corpusOf('three-way');
    const lm = languageModelDatasets(corpus, {
      tokenizer,
      length: dataset.maxLength,
      maxTokensPerText: dataset.maxTokensPerText ?? DEFAULT_MAX_TOKENS_PER_TEXT,
      ...(dataset.stride !== undefined ? { stride: dataset.stride } : {}),
    });
    return { train: limit(lm.train, data.trainLimit), test: limit(lm.test, dataset.testLimit) };
  }
  const corpus = await corpusOf(dataset.task ?? 'three-way');
  const numClasses = corpus.classNames.length;
  const encode = (split: TextSplit, part: string): InMemoryDataset => encodeSplit(tokenizer, split, { name: `${corpus.name}-${part}`, maxLength: dataset.maxLength, numClasses });
  let split: TextSplit = corpus.train;
  if (data.trainLimit !== undefined && data.trainLimit < split.texts.length) {
    const n = data.trainLimit;
    const size = split.texts.length;
    split = selectTexts(split, Array.from({ length: n }, (_, i) => Math.floor((i * size) / n)));
  }
  // Low-label: N labelled messages per class; with unlabelledTransfer the whole split is the transfer set.
  const train = data.labelsPerClass !== undefined && data.unlabelledTransfer !== true ? lowLabelSplit(split, { perClass: data.labelsPerClass, seed: data.subsetSeed ?? config.seed }).labelled : split;
  return { train: encode(train, 'train'), test: limit(encode(corpus.test, 'test'), dataset.testLimit) };
}

/** Loads (once per thread) the train and test token datasets of a text run; runData then returns them. */
export async function prepareTextData(config: RunConfig, tokenizerFile: string | undefined): Promise<void> {
  if (!isTextConfig(config.dataset)) return;
  const key = keyOf(config);
  if (prepared.has(key)) return;
  if (!tokenizerFile) throw new Error(`text run (dataset ${config.dataset.name}) has no tokenizer file`);
  const tokenizer = await suiteTokenizer(config.dataset, tokenizerFile);
  prepared.set(key, await build(config.dataset, config, tokenizer));
}

/** The prepared datasets of a text run (prepareTextData first). */
export function textRunData(config: RunConfig): { train: InMemoryDataset; test: InMemoryDataset } {
  const data = prepared.get(keyOf(config));
  if (!data) throw new Error(`text data of dataset ${config.dataset.name} was not prepared in this thread (call prepareTextData first)`);
  return data;
}
