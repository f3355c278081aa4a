import type { LossDefinition } from '@distillery/core';
import { contrastiveEmbeddingDefinition } from './contrastive-embedding.js';
import { lmCeDefinition } from './lm-ce.js';
import { miniLmAttentionDefinition, miniLmValueDefinition } from './minilm.js';
import { tinyBertAttentionDefinition } from './tinybert-attention.js';
import { tinyBertEmbeddingDefinition } from './tinybert-embedding.js';
import { tinyBertHiddenDefinition } from './tinybert-hidden.js';
import { tinyBertPredictionDefinition } from './tinybert-prediction.js';
import { tokenKdDefinition } from './token-kd.js';

/** The Transformer / language-model losses, in registry order. */
export const textDefinitions: LossDefinition[] = [
  tinyBertEmbeddingDefinition,
  tinyBertHiddenDefinition,
  tinyBertAttentionDefinition,
  tinyBertPredictionDefinition,
  miniLmAttentionDefinition,
  miniLmValueDefinition,
  contrastiveEmbeddingDefinition,
  tokenKdDefinition,
  lmCeDefinition,
] as LossDefinition[];
