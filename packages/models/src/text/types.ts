import type * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '@distillery/core';

/** Reserved token ids of the text contract: every tokenizer and model agrees on these. */
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;

/** Options every text model shares. */
export interface TextModelBaseConfig {
  /** number of token ids (ids 0..vocabSize-1; 0-3 are [PAD], [UNK], [CLS], [SEP]) */
  readonly vocabSize: number;
  /** longest sequence the model accepts; also its `inputShape` ([maxLength]) */
  readonly maxLength: number;
  /** every initial weight and dropout mask derives from this seed */
  readonly seed: number;
  readonly name?: string;
}

export interface TransformerClassifierConfig extends TextModelBaseConfig {
  /** model width D (embedding and hidden size) */
  readonly width: number;
  /** attention heads; must divide `width` */
  readonly heads: number;
  /** inner width of the feed-forward block (BERT: 4 x width) */
  readonly ffWidth: number;
  readonly layers: number;
  readonly numClasses: number;
  /** dropout on embeddings, attention probabilities, sub-layer outputs and the pooled vector; default 0.1 */
  readonly dropout?: number;
}

export interface TransformerLMConfig extends TextModelBaseConfig {
  readonly width: number;
  readonly heads: number;
  readonly ffWidth: number;
  readonly layers: number;
  /** optional; when given it must equal `vocabSize` (an LM's classes are the vocabulary) */
  readonly numClasses?: number;
  /** output projection = token-embedding matrix transposed (default true) */
  readonly tiedEmbeddings?: boolean;
  /** default 0.1 */
  readonly dropout?: number;
}

export interface TextCnnConfig extends TextModelBaseConfig {
  readonly embeddingSize: number;
  /** convolution widths in tokens; default [3, 4, 5] (Kim 2014) */
  readonly filterWidths?: readonly number[];
  /** filters per width; default 100 */
  readonly filters?: number;
  readonly numClasses: number;
  /** dropout on the pooled vector; default 0.5 (Kim 2014) */
  readonly dropout?: number;
}

export type GruPooling = 'last' | 'mean';

export interface TextGruConfig extends TextModelBaseConfig {
  readonly embeddingSize: number;
  readonly hiddenSize: number;
  /** a second GRU reads the sequence backwards; pooled = [forward, backward] (default false) */
  readonly bidirectional?: boolean;
  /** 'last': state after the last real token (default); 'mean': mean state over real tokens */
  readonly pooling?: GruPooling;
  readonly numClasses: number;
  /** dropout on the pooled vector; default 0.2 */
  readonly dropout?: number;
}

/** Configs with every default filled in: what a model reports and what `saveTextModel` writes. */
export type ResolvedTransformerClassifierConfig = Required<TransformerClassifierConfig>;
export type ResolvedTransformerLMConfig = Required<TransformerLMConfig>;
export interface ResolvedTextCnnConfig extends Required<Omit<TextCnnConfig, 'filterWidths'>> {
  readonly filterWidths: readonly number[];
}
export type ResolvedTextGruConfig = Required<TextGruConfig>;

/** A text model's architecture as plain JSON: `buildTextModel(spec)` rebuilds it (same seed, same weights). */
export type TextModelSpec =
  | { readonly kind: 'transformer-classifier'; readonly config: ResolvedTransformerClassifierConfig }
  | { readonly kind: 'transformer-lm'; readonly config: ResolvedTransformerLMConfig }
  | { readonly kind: 'text-cnn'; readonly config: ResolvedTextCnnConfig }
  | { readonly kind: 'text-gru'; readonly config: ResolvedTextGruConfig };

export type TextModelKind = TextModelSpec['kind'];

/** A core TrainableModel over token ids [batch, seqLen] (seqLen <= maxLength), with its spec. */
export interface TextModel extends TrainableModel {
  readonly spec: TextModelSpec;
  readonly vocabSize: number;
  readonly maxLength: number;
  /**
   * Checks a batch of token ids: rank 2, seqLen <= maxLength, every id in [0, vocabSize). Costs one tiny
   * download (min and max id), so `forward` runs it on its first call only; data pipelines call it freely.
   */
  validateInputs(x: tf.Tensor): void;
}
