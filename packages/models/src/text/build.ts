import { ConfigError } from '@distillery/core';
import { textCnn } from './text-cnn.js';
import { textGru } from './text-gru.js';
import { transformerClassifier } from './transformer-classifier.js';
import { transformerLM } from './transformer-lm.js';
import type { TextModel, TextModelSpec } from './types.js';

/** Rebuilds a text model from its spec (`model.spec`); same config and seed give the same initial weights. */
export function buildTextModel(spec: TextModelSpec): TextModel {
  switch (spec.kind) {
    case 'transformer-classifier':
      return transformerClassifier(spec.config);
    case 'transformer-lm':
      return transformerLM(spec.config);
    case 'text-cnn':
      return textCnn(spec.config);
    case 'text-gru':
      return textGru(spec.config);
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new ConfigError(`unknown text model kind "${String(kind)}"`, 'use transformer-classifier, transformer-lm, text-cnn or text-gru');
    }
  }
}
