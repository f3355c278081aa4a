import * as tf from '@tensorflow/tfjs';
import type { Teacher, TrainableModel } from '@distillery/core';
import { loadLayersModel } from '@distillery/core/node';
import { asTeacher, blackBoxTeacher, registerModelLayers, type LayersTrainableModel } from '@distillery/models';
import { buildModel } from '../models/build-model.js';
import { runTeacher } from '../models/run-teacher.js';
import { loadTeacher, saveTeacher } from '../models/teacher-store.js';
import type { RunConfig } from '../plan/run-config.js';
import type { ModelSpec, View } from '../suites/schema.js';
import { isTextConfig, isTextModel } from './text-config.js';
import { buildTextRunModel, isTextModelInstance, loadTextRunModel, loadTextWeightsInto, saveTextRunModel } from './text-models.js';

/** What a run trains: a zoo LayersModel or a text model; both count their parameters. */
export type BenchModel = TrainableModel & { countParams(): number };

/** A model of a run's config: zoo models by view, text models from the dataset's vocabulary and length. */
export function buildBenchModel(spec: ModelSpec, view: View, dataset: RunConfig['dataset'], seed: number, numClasses: number, name: string): BenchModel {
  if (isTextModel(spec)) {
    if (!isTextConfig(dataset)) throw new Error(`model type "${spec.type}" needs a text dataset, not ${dataset.name}`);
    return buildTextRunModel(spec, dataset, seed, numClasses, name);
  }
  return buildModel(spec, view, seed, numClasses, name);
}

/** Saves a trained model (and extra files) atomically in `folder`, in the format its kind loads from. */
export async function saveBenchModel(model: BenchModel, folder: string, extraFiles: Readonly<Record<string, string>>): Promise<void> {
  if (isTextModelInstance(model)) await saveTextRunModel(model, folder, extraFiles);
  else await saveTeacher(model as LayersTrainableModel, folder, extraFiles);
}

/** Loads a saved teacher (a zoo model into the zoo's architecture; a text model from its saved spec). */
export async function loadBenchTeacher(spec: ModelSpec, view: View, seed: number, numClasses: number, folder: string, name: string): Promise<BenchModel> {
  if (isTextModel(spec)) return loadTextRunModel(folder);
  return loadTeacher(spec, view, seed, numClasses, folder, name);
}

/** A loaded model as a run's teacher: text models white-box or black-box (no views to convert). */
export function benchTeacher(model: BenchModel, options: { blackBox: boolean; view: View; studentView: View }): Teacher {
  if (!isTextModelInstance(model)) return runTeacher(model as LayersTrainableModel, options);
  if (!options.blackBox) return asTeacher(model);
  return blackBoxTeacher({
    name: `${model.name} (black box)`,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    predictProbabilities: (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => tf.softmax(model.predictLogits(x))),
  });
}

/** Writes the weights another run saved in `folder` into `model` (initFrom: TinyBERT's stage 2 starts from stage 1). */
export async function initBenchModelFrom(model: BenchModel, folder: string): Promise<void> {
  if (isTextModelInstance(model)) return loadTextWeightsInto(model, folder);
  registerModelLayers();
  const saved = await loadLayersModel(folder);
  try {
    (model as LayersTrainableModel).layersModel.setWeights(saved.getWeights());
  } finally {
    saved.dispose();
  }
}
