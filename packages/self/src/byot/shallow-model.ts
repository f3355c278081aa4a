import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Classifier, type TrainableModel } from '@distillery/core';
import { registerModelLayers } from '@distillery/models';
import type { Head } from './head.js';

/** A deployable early exit: the backbone up to a tap, then that tap's head. */
export interface ShallowModel extends Classifier {
  readonly tap: string;
  /** an independent tf.LayersModel (weights copied at export): save it with core's `saveLayersModel` */
  readonly layersModel: tf.LayersModel;
  /** frees its weights; the backbone and the scheme are not affected */
  dispose(): void;
}

function layersModelOf(model: TrainableModel): tf.LayersModel | undefined {
  const candidate = (model as { layersModel?: unknown }).layersModel;
  return candidate instanceof tf.LayersModel ? candidate : undefined;
}

/** Clones a model through an in-memory save and load: same topology and weights, no shared layers. */
async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  registerModelLayers(); // the backbone may contain SeededDropout
  return tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
}

/**
 * The truncated model, built from the backbone's tf.LayersModel: the graph from the input to the tap's
 * layer, then the head. Only the layers on that path run, so inference costs what the shallow part
 * costs. The result is a snapshot: an independent model the caller owns, unaffected by further training.
 */
export async function shallowModel(model: TrainableModel, head: Head, layerName: string): Promise<ShallowModel> {
  const backbone = layersModelOf(model);
  if (!backbone) {
    throw new ConfigError(
      `byot: "${model.name}" is not backed by a tf.LayersModel, so it cannot be truncated at "${head.tap}"`,
      'build the backbone with @distillery/models (mlp, fromLayersModel, ...), or evaluate the head through evaluationModels()',
    );
  }
  let layer: tf.layers.Layer;
  try {
    layer = backbone.getLayer(layerName);
  } catch {
    throw new ConfigError(
      `byot: "${model.name}" has no layer "${layerName}" for tap "${head.tap}"`,
      'pass layerName: the name of the layer the tap exposes (the taps option of fromLayersModel maps tap -> layer)',
    );
  }
  const output = layer.output;
  if (Array.isArray(output)) throw new ConfigError(`byot: layer "${layerName}" has several outputs`, 'tap a layer with a single output');
  const copy = head.applyCopy(output);
  let truncated: tf.LayersModel;
  try {
    // This graph shares the backbone's layers; it is only cloned, never disposed (disposing it would
    // release the backbone's weights).
    const shared = tf.model({ inputs: backbone.inputs, outputs: copy.output, name: `${backbone.name}_exit_${layerName}` });
    truncated = await cloneModel(shared);
  } finally {
    copy.release();
  }
  return {
    name: `${model.name}@${head.tap}`,
    tap: head.tap,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    layersModel: truncated,
    predictLogits: (x) => tf.tidy(() => truncated.apply(x, { training: false }) as tf.Tensor2D),
    dispose: () => truncated.dispose(),
  };
}
