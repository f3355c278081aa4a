import type { DatasetSpec, ModelSpec } from '../suites/schema.js';
import { TEXT_DATASETS, TEXT_MODEL_TYPES } from '../suites/text-schema.js';

/** The dataset part of a text run's config: what fixes the tokenizer, the encoding and the test set. */
export interface TextDatasetConfig {
  readonly name: 'spam-assassin' | 'spam-assassin-lm';
  readonly task?: 'three-way' | 'binary';
  readonly maxLength: number;
  readonly vocabSize: number;
  readonly stride?: number;
  readonly maxTokensPerText?: number;
  readonly testLimit?: number;
}

export type TextModelSpecInput = Extract<ModelSpec, { type: (typeof TEXT_MODEL_TYPES)[number] }>;

export const isTextDatasetName = (name: string): name is TextDatasetConfig['name'] => (TEXT_DATASETS as readonly string[]).includes(name);
export const isTextModel = (model: ModelSpec): model is TextModelSpecInput => (TEXT_MODEL_TYPES as readonly string[]).includes(model.type);
export const isTextConfig = (dataset: { readonly name: string }): dataset is TextDatasetConfig => isTextDatasetName(dataset.name);

/** Drops undefined values, so absent settings do not change run ids. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The dataset part of a run config: image suites keep their original shape (and run ids). */
export function datasetConfigOf(dataset: DatasetSpec): { readonly name: 'mnist' | 'fashion-mnist'; readonly testLimit?: number } | TextDatasetConfig {
  if (dataset.name === 'spam-assassin') return defined({ name: dataset.name, task: dataset.task, maxLength: dataset.maxLength, vocabSize: dataset.vocabSize, testLimit: dataset.testLimit });
  if (dataset.name === 'spam-assassin-lm') {
    return defined({ name: dataset.name, maxLength: dataset.maxLength, vocabSize: dataset.vocabSize, stride: dataset.stride, maxTokensPerText: dataset.maxTokensPerText, testLimit: dataset.testLimit });
  }
  return { name: dataset.name, ...(dataset.testLimit !== undefined ? { testLimit: dataset.testLimit } : {}) };
}

/** File name of the suite's tokenizer: one per vocabulary size (every SpamAssassin task shares the training split). */
export const tokenizerFileName = (dataset: TextDatasetConfig): string => `tokenizer-spam-assassin-v${dataset.vocabSize}.json`;
