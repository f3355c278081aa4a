export { transformerClassifier } from './transformer-classifier.js';
export { transformerLM } from './transformer-lm.js';
export { textCnn } from './text-cnn.js';
export { textGru } from './text-gru.js';
export { buildTextModel } from './build.js';
export { validateTokenIds } from './inputs.js';
export { SequenceTooLongError, TokenIdOutOfRangeError } from './errors.js';
export { PAD_ID, UNK_ID, CLS_ID, SEP_ID } from './types.js';
export type {
  GruPooling,
  ResolvedTextCnnConfig,
  ResolvedTextGruConfig,
  ResolvedTransformerClassifierConfig,
  ResolvedTransformerLMConfig,
  TextCnnConfig,
  TextGruConfig,
  TextModel,
  TextModelBaseConfig,
  TextModelKind,
  TextModelSpec,
  TransformerClassifierConfig,
  TransformerLMConfig,
} from './types.js';
