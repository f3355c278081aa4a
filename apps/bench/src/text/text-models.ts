import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { textCnn, textGru, transformerClassifier, transformerLM, type TextModel } from '@distillery/models';
import { loadTextModel, saveTextModel, TEXT_MODEL_FILE } from '@distillery/models/node';
import { existsSync } from 'node:fs';
import type { TextDatasetConfig, TextModelSpecInput } from './text-config.js';

/**
 * A text model of a suite: vocabulary and positions come from the dataset (the suite's tokenizer and
 * maxLength) unless the model spec names them; validation has already rejected specs that disagree.
 */
export function buildTextRunModel(spec: TextModelSpecInput, dataset: TextDatasetConfig, seed: number, numClasses: number, name: string): TextModel {
  const base = {
    vocabSize: spec.vocabSize ?? dataset.vocabSize,
    maxLength: spec.maxLength ?? dataset.maxLength,
    seed,
    name,
    ...(spec.dropout !== undefined ? { dropout: spec.dropout } : {}),
  };
  switch (spec.type) {
    case 'transformer':
      return transformerClassifier({ ...base, width: spec.width, heads: spec.heads, ffWidth: spec.ffWidth, layers: spec.layers, numClasses });
    case 'transformerLm':
      return transformerLM({ ...base, width: spec.width, heads: spec.heads, ffWidth: spec.ffWidth, layers: spec.layers, ...(spec.tiedEmbeddings !== undefined ? { tiedEmbeddings: spec.tiedEmbeddings } : {}) });
    case 'textCnn':
      return textCnn({ ...base, embeddingSize: spec.embeddingSize, numClasses, ...(spec.filterWidths ? { filterWidths: spec.filterWidths } : {}), ...(spec.filters !== undefined ? { filters: spec.filters } : {}) });
    case 'textGru':
      return textGru({
        ...base,
        embeddingSize: spec.embeddingSize,
        hiddenSize: spec.hiddenSize,
        numClasses,
        ...(spec.bidirectional !== undefined ? { bidirectional: spec.bidirectional } : {}),
        ...(spec.pooling ? { pooling: spec.pooling } : {}),
      });
  }
}

export const isTextModelInstance = (model: object): model is TextModel => 'spec' in model && 'validateInputs' in model;

/** True when a text model was saved completely in `folder`. */
export const textModelSaved = (folder: string): boolean => existsSync(join(folder, TEXT_MODEL_FILE));

/**
 * Saves a trained text model with extra files beside it: written into a temporary folder that is then
 * renamed into place, so a crash leaves no folder or a complete one (as saveTeacher does for layers models).
 */
export async function saveTextRunModel(model: TextModel, folder: string, extraFiles: Readonly<Record<string, string>>): Promise<void> {
  const temporary = `${folder}.tmp-${process.pid}-${Date.now()}`;
  await saveTextModel(model, temporary);
  for (const [name, text] of Object.entries(extraFiles)) await writeFile(join(temporary, name), text);
  await rm(folder, { recursive: true, force: true });
  await rename(temporary, folder);
}

/**
 * Loads the weights saved in `folder` into `model` (built from the same spec): every state variable is
 * assigned, so the model continues exactly where the saved run stopped (TinyBERT's stage 2 from stage 1).
 */
export async function loadTextWeightsInto(model: TextModel, folder: string): Promise<void> {
  const saved = await loadTextModel(folder);
  try {
    const source = saved.stateVariables();
    for (const [name, variable] of Object.entries(model.stateVariables())) {
      const from = source[name];
      if (!from || from.shape.join('x') !== variable.shape.join('x')) {
        throw new Error(`saved model in ${folder} has no weight "${name}" of shape [${variable.shape.join(', ')}]: initFrom needs the same architecture`);
      }
      variable.assign(from);
    }
  } finally {
    saved.dispose();
  }
}

/** A saved text model as a teacher (rebuilt from its saved spec, with the given name). */
export async function loadTextRunModel(folder: string): Promise<TextModel> {
  return loadTextModel(folder);
}
