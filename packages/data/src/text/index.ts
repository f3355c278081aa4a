// Browser-safe text data; loadSpamAssassin (which imports the corpus package) is in "@distillery/data/node".
export { PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, SPECIAL_TOKENS, PAD_ID, UNK_ID, CLS_ID, SEP_ID, CONTINUATION_PREFIX } from './specials.js';
export { normalizeText, preTokenize } from './pre-tokenize.js';
export type { PreTokenizeOptions } from './pre-tokenize.js';
export { WordPieceTokenizer, countWords } from './wordpiece.js';
export type { EncodeOptions, Encoding, WordPieceJson, WordPieceTrainOptions } from './wordpiece.js';
export { trainWordPieceVocabulary } from './wordpiece-trainer.js';
export type { MergeTrainingOptions } from './wordpiece-trainer.js';
export { TokenDataset } from './token-dataset.js';
export type { TokenDatasetOptions } from './token-dataset.js';
export type { TextCorpus, TextSplit, TextSplitName } from './corpus.js';
export { TEXT_SPLITS } from './corpus.js';
export { stripHeaders, stripHtml } from './email.js';
export { lowLabelSplit, selectTexts } from './select-texts.js';
export type { LowLabelOptions, LowLabelSplit } from './select-texts.js';
export { encodeSplit, textClassificationDatasets, tokenizerFor, DEFAULT_VOCAB_SIZE } from './text-datasets.js';
export type { EncodeSplitOptions, TextClassificationDatasets, TextClassificationDatasetsOptions, TokenizerSource } from './text-datasets.js';
export { languageModelDatasets, languageModelWindows, tokenStream, windowCount } from './lm-windows.js';
export type { LanguageModelDatasets, LanguageModelDatasetsOptions, LanguageModelWindowOptions } from './lm-windows.js';
export {
  spamAssassinCorpus,
  spamAssassinSplitCodes,
  SPAM_ASSASSIN_CLASSES,
  SPAM_ASSASSIN_FRACTIONS,
  SPAM_ASSASSIN_GROUPS,
  SPAM_ASSASSIN_SPLIT_SEED,
  SPAM_ASSASSIN_TASKS,
} from './spam-assassin-corpus.js';
export type { SpamAssassinCorpus, SpamAssassinMessage, SpamAssassinOptions, SpamAssassinSplit, SpamAssassinTask } from './spam-assassin-corpus.js';
