import * as tf from '@tensorflow/tfjs';
import { CheckpointCorruptError, ConfigError, DistilleryError } from '../errors.js';
import { folderLoadHandler, folderSaveHandler } from './folder-handler.js';

export { folderLoadHandler, folderSaveHandler, MODEL_JSON_FILE, WEIGHTS_FILE } from './folder-handler.js';
export { writeFileAtomic } from './atomic-write.js';

/**
 * Saves a tf.LayersModel (topology and every weight, batch-norm statistics included) to `folder` as
 * model.json + weights.bin, creating the folder if needed. Works on every backend, no tfjs-node.
 */
export async function saveLayersModel(model: tf.LayersModel, folder: string): Promise<void> {
  await model.save(folderSaveHandler(folder));
}

/**
 * Loads a model saved by `saveLayersModel`. A missing or unreadable model.json, bad JSON, or a missing,
 * truncated or altered weights.bin raises CheckpointCorruptError. Custom layers must be registered first
 * (for Distillery's zoo: `registerModelLayers()` from @distillery/models); otherwise a ConfigError names
 * the missing class.
 */
export async function loadLayersModel(folder: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(folderLoadHandler(folder));
  } catch (error) {
    if (error instanceof DistilleryError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown layer: ([^\s.]+)/.exec(message);
    if (unknown !== null) {
      throw new ConfigError(
        `the model in ${folder} uses layer class "${unknown[1] ?? ''}", which is not registered`,
        'call registerModelLayers() from @distillery/models (or tf.serialization.registerClass for your own layers) before loading',
      );
    }
    // tfjs rejects topologies and weight lists that do not fit together: the files are inconsistent.
    throw new CheckpointCorruptError(folder, message);
  }
}
