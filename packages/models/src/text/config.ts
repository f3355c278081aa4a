import { ConfigError, requireHalfOpenUnit, requirePositiveInteger } from '@distillery/core';
import { DROPOUT_HINT, MODEL_OPTIONS_HINT, requireClasses, requireSeed } from '../zoo/checks.js';
import type {
  ResolvedTextCnnConfig,
  ResolvedTextGruConfig,
  ResolvedTransformerClassifierConfig,
  ResolvedTransformerLMConfig,
  TextCnnConfig,
  TextGruConfig,
  TextModelBaseConfig,
  TransformerClassifierConfig,
  TransformerLMConfig,
} from './types.js';

/** [PAD], [UNK], [CLS], [SEP] take ids 0-3, so a usable vocabulary has at least one more. */
const RESERVED_IDS = 4;

function checkBase(owner: string, config: TextModelBaseConfig): void {
  requirePositiveInteger(owner, 'vocabSize', config.vocabSize, MODEL_OPTIONS_HINT);
  if (config.vocabSize <= RESERVED_IDS) {
    throw new ConfigError(`vocabSize ${config.vocabSize} leaves no room for words: ids 0-3 are [PAD], [UNK], [CLS], [SEP]`, 'use the tokenizer\'s vocabulary size');
  }
  requirePositiveInteger(owner, 'maxLength', config.maxLength, MODEL_OPTIONS_HINT);
  requireSeed(config.seed);
}

function divisorsNear(width: number, heads: number): string {
  const divisors = Array.from({ length: width }, (_, i) => i + 1).filter((d) => width % d === 0);
  const nearest = [...divisors].sort((a, b) => Math.abs(a - heads) - Math.abs(b - heads)).slice(0, 2).sort((a, b) => a - b);
  return nearest.join(' or ');
}

interface TransformerShapeConfig {
  readonly width: number;
  readonly heads: number;
  readonly ffWidth: number;
  readonly layers: number;
}

function checkTransformer(owner: string, config: TransformerShapeConfig, dropout: number): void {
  for (const option of ['width', 'heads', 'ffWidth', 'layers'] as const) requirePositiveInteger(owner, option, config[option], MODEL_OPTIONS_HINT);
  if (config.width % config.heads !== 0) {
    throw new ConfigError(
      `heads = ${config.heads} does not divide width = ${config.width}: every head gets width / heads dimensions`,
      `use heads = ${divisorsNear(config.width, config.heads)}, or a width that is a multiple of ${config.heads} (e.g. ${Math.ceil(config.width / config.heads) * config.heads})`,
    );
  }
  requireHalfOpenUnit(owner, 'dropout', dropout, DROPOUT_HINT);
}

export function resolveTransformerClassifier(config: TransformerClassifierConfig): ResolvedTransformerClassifierConfig {
  checkBase('transformerClassifier', config);
  const dropout = config.dropout ?? 0.1;
  checkTransformer('transformerClassifier', config, dropout);
  requireClasses(config.numClasses);
  return {
    vocabSize: config.vocabSize,
    maxLength: config.maxLength,
    width: config.width,
    heads: config.heads,
    ffWidth: config.ffWidth,
    layers: config.layers,
    numClasses: config.numClasses,
    dropout,
    seed: config.seed,
    name: config.name ?? 'transformer-classifier',
  };
}

export function resolveTransformerLM(config: TransformerLMConfig): ResolvedTransformerLMConfig {
  checkBase('transformerLM', config);
  const dropout = config.dropout ?? 0.1;
  checkTransformer('transformerLM', config, dropout);
  if (config.numClasses !== undefined && config.numClasses !== config.vocabSize) {
    throw new ConfigError(
      `a language model predicts the next token, so numClasses must equal vocabSize = ${config.vocabSize}, got ${config.numClasses}`,
      'omit numClasses (it defaults to vocabSize) or build the model with the tokenizer\'s vocabulary size',
    );
  }
  return {
    vocabSize: config.vocabSize,
    maxLength: config.maxLength,
    width: config.width,
    heads: config.heads,
    ffWidth: config.ffWidth,
    layers: config.layers,
    numClasses: config.vocabSize,
    tiedEmbeddings: config.tiedEmbeddings ?? true,
    dropout,
    seed: config.seed,
    name: config.name ?? 'transformer-lm',
  };
}

export function resolveTextCnn(config: TextCnnConfig): ResolvedTextCnnConfig {
  checkBase('textCnn', config);
  requirePositiveInteger('textCnn', 'embeddingSize', config.embeddingSize, MODEL_OPTIONS_HINT);
  const filterWidths = [...(config.filterWidths ?? [3, 4, 5])];
  if (filterWidths.length === 0) throw new ConfigError('filterWidths is empty', 'give at least one convolution width, e.g. [3, 4, 5]');
  filterWidths.forEach((w, i) => requirePositiveInteger('textCnn', `filterWidths[${i}]`, w, MODEL_OPTIONS_HINT));
  const filters = config.filters ?? 100;
  requirePositiveInteger('textCnn', 'filters', filters, MODEL_OPTIONS_HINT);
  requireClasses(config.numClasses);
  const dropout = config.dropout ?? 0.5;
  requireHalfOpenUnit('textCnn', 'dropout', dropout, DROPOUT_HINT);
  return {
    vocabSize: config.vocabSize,
    maxLength: config.maxLength,
    embeddingSize: config.embeddingSize,
    filterWidths,
    filters,
    numClasses: config.numClasses,
    dropout,
    seed: config.seed,
    name: config.name ?? 'text-cnn',
  };
}

export function resolveTextGru(config: TextGruConfig): ResolvedTextGruConfig {
  checkBase('textGru', config);
  requirePositiveInteger('textGru', 'embeddingSize', config.embeddingSize, MODEL_OPTIONS_HINT);
  requirePositiveInteger('textGru', 'hiddenSize', config.hiddenSize, MODEL_OPTIONS_HINT);
  requireClasses(config.numClasses);
  const pooling = config.pooling ?? 'last';
  if (pooling !== 'last' && pooling !== 'mean') throw new ConfigError(`pooling "${String(pooling)}" is unknown`, 'use "last" or "mean"');
  const dropout = config.dropout ?? 0.2;
  requireHalfOpenUnit('textGru', 'dropout', dropout, DROPOUT_HINT);
  return {
    vocabSize: config.vocabSize,
    maxLength: config.maxLength,
    embeddingSize: config.embeddingSize,
    hiddenSize: config.hiddenSize,
    bidirectional: config.bidirectional ?? false,
    pooling,
    numClasses: config.numClasses,
    dropout,
    seed: config.seed,
    name: config.name ?? (config.bidirectional === true ? 'text-bigru' : 'text-gru'),
  };
}
