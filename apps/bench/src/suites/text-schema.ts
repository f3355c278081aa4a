import { z } from 'zod';

/**
 * Suite-file shapes of the text and language-model benchmarks: the SpamAssassin datasets and the text
 * model types. Kept apart from schema.ts, which includes them in its unions.
 */

const positiveInt = z.number().int().positive();

/** Vocabulary of the suite's WordPiece tokenizer, learned from the training split only. */
const vocabSize = z.number().int().min(16).max(32_000);

/** SpamAssassin messages as a classification task (documented deterministic 70/10/20 split per group). */
export const spamAssassinDatasetFields = {
  name: z.literal('spam-assassin'),
  /** 'three-way': easy ham / hard ham / spam; 'binary': ham / spam */
  task: z.enum(['three-way', 'binary']),
  /** tokens per message, [CLS] and [SEP] included (longer messages are truncated) */
  maxLength: z.number().int().min(3).max(512),
  vocabSize,
  /** keep N evenly spaced test messages (the split is in corpus order, grouped by class); default all 1,213 */
  testLimit: positiveInt.optional(),
};

/** Next-token windows over the message bodies (labels ignored): the causal LM task. */
export const spamAssassinLmDatasetFields = {
  name: z.literal('spam-assassin-lm'),
  /** tokens per window (the LM's sequence length) */
  maxLength: z.number().int().min(2).max(512),
  vocabSize,
  /** tokens between window starts (default maxLength: no overlap) */
  stride: positiveInt.optional(),
  /** tokens taken from one message at most (a few spam bodies are 100k+ characters); default 256 */
  maxTokensPerText: positiveInt.optional(),
  /** keep N evenly spaced held-out windows (default all); trainLimit likewise keeps N evenly spaced training windows */
  testLimit: positiveInt.optional(),
};

const textModelCommon = {
  /** optional: when given it must equal the dataset's vocabSize (the tokenizer's), else validation fails */
  vocabSize: positiveInt.optional(),
  /** the model's positions; default the dataset's maxLength; it may not be shorter */
  maxLength: positiveInt.optional(),
  dropout: z.number().min(0).lt(1).optional(),
};

const transformerShape = {
  width: positiveInt,
  /** must divide width */
  heads: positiveInt,
  ffWidth: positiveInt,
  layers: positiveInt,
};

export const textModelSchemas = [
  z.strictObject({ type: z.literal('transformer'), ...transformerShape, ...textModelCommon }),
  z.strictObject({ type: z.literal('transformerLm'), ...transformerShape, tiedEmbeddings: z.boolean().optional(), ...textModelCommon }),
  z.strictObject({
    type: z.literal('textCnn'),
    embeddingSize: positiveInt,
    filterWidths: z.array(positiveInt).min(1).optional(),
    filters: positiveInt.optional(),
    ...textModelCommon,
  }),
  z.strictObject({
    type: z.literal('textGru'),
    embeddingSize: positiveInt,
    hiddenSize: positiveInt,
    bidirectional: z.boolean().optional(),
    pooling: z.enum(['last', 'mean']).optional(),
    ...textModelCommon,
  }),
] as const;

export const TEXT_MODEL_TYPES = ['transformer', 'transformerLm', 'textCnn', 'textGru'] as const;
export const TEXT_DATASETS = ['spam-assassin', 'spam-assassin-lm'] as const;
