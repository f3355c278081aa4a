import { rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadLayersModel, saveLayersModel, MODEL_JSON_FILE } from '@distillery/core/node';
import { registerModelLayers, type LayersTrainableModel } from '@distillery/models';
import { TEXT_MODEL_FILE } from '@distillery/models/node';
import type { ModelSpec, View } from '../suites/schema.js';
import { buildModel } from './build-model.js';

/** True when a teacher was saved completely (the folder appears only after the rename). */
export function teacherSaved(folder: string): boolean {
  // layers models write model.json; text models text-model.json (both appear only after the rename)
  return existsSync(join(folder, MODEL_JSON_FILE)) || existsSync(join(folder, TEXT_MODEL_FILE));
}

/**
 * Saves a trained teacher beside the results, with any extra files (file name -> text) in the same
 * folder. It is written to a temporary folder and renamed into place, so a crash leaves either no
 * folder or a complete one.
 */
export async function saveTeacher(model: LayersTrainableModel, folder: string, extraFiles: Readonly<Record<string, string>> = {}): Promise<void> {
  const temporary = `${folder}.tmp-${process.pid}-${Date.now()}`;
  await saveLayersModel(model.layersModel, temporary);
  for (const [name, text] of Object.entries(extraFiles)) await writeFile(join(temporary, name), text);
  await rm(folder, { recursive: true, force: true });
  await rename(temporary, folder);
}

/**
 * Loads a saved teacher into a fresh zoo model of the same architecture, so it has the zoo's feature
 * taps; tfjs checks that every weight's shape matches.
 */
export async function loadTeacher(spec: ModelSpec, view: View, seed: number, numClasses: number, folder: string, name = 'teacher'): Promise<LayersTrainableModel> {
  registerModelLayers();
  const saved = await loadLayersModel(folder);
  const model = buildModel(spec, view, seed, numClasses, name);
  try {
    model.layersModel.setWeights(saved.getWeights());
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    saved.dispose();
  }
  return model;
}
