import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import type { ForwardOptions, ModelOutputs } from '@distillery/core';
import type { LayersTrainableModel } from '../types.js';
import { assertEndsInLogits, assertInputShape, readInputShape, readNumClasses, tapOutput } from './validate.js';
import { applyWeightConstraints, countElements, variableOf, weightsByName } from './variables.js';

export interface FromLayersModelOptions {
  readonly name: string;
  /** checked against the output width when given */
  readonly numClasses?: number;
  /** feature taps: tap name -> name of the layer whose output it exposes */
  readonly taps?: Readonly<Record<string, string>>;
}

/**
 * Wraps a tf.LayersModel whose single output is the logits as a Distillery TrainableModel.
 *
 * A second, multi-output tf.model over the same graph returns [logits, ...tap outputs]; it reuses the
 * original layers, so both models share one set of variables and training one trains the other.
 * `forward` runs eagerly through `model.apply`, so it works inside `optimizer.minimize` and
 * `tf.variableGrads` closures; `training: true` turns on dropout and batch-norm statistics updates.
 *
 * The adapter takes ownership of `model`: `dispose()` disposes it.
 */
export function fromLayersModel(model: tf.LayersModel, options: FromLayersModelOptions): LayersTrainableModel {
  const { name } = options;
  const inputShape = readInputShape(model, name);
  const numClasses = readNumClasses(model, name, options.numClasses);
  assertEndsInLogits(model, name);

  const taps = Object.entries(options.taps ?? {});
  const featureNames = taps.map(([tapName]) => tapName);
  const tapTensors = taps.map(([tapName, layerName]) => tapOutput(model, name, tapName, layerName));
  const featureShapes: Record<string, readonly number[]> = {};
  taps.forEach(([tapName], i) => {
    featureShapes[tapName] = (tapTensors[i]?.shape ?? []).slice(1).map((d) => d ?? -1);
  });

  const logitsOutput = model.outputs[0] as tf.SymbolicTensor;
  const withTaps = taps.length === 0 ? model : tf.model({ inputs: model.inputs, outputs: [logitsOutput, ...tapTensors], name: `${model.name}_taps` });
  const hasConstraints = model.weights.some((w) => w.constraint != null);
  let disposed = false;

  const assertUsable = (x: tf.Tensor): void => {
    if (disposed) throw new ConfigError(`${name} was disposed`, 'build a new model; a disposed model has no weights');
    assertInputShape(name, inputShape, x);
  };

  return {
    name,
    numClasses,
    inputShape,
    featureNames,
    featureShapes,
    layersModel: model,
    hasConstraints,

    forward(x: tf.Tensor, forwardOptions: ForwardOptions): ModelOutputs {
      assertUsable(x);
      const outputs = withTaps.apply(x, { training: forwardOptions.training });
      const list = Array.isArray(outputs) ? outputs : [outputs];
      const features: Record<string, tf.Tensor> = {};
      featureNames.forEach((tapName, i) => {
        features[tapName] = list[i + 1] as tf.Tensor;
      });
      return { logits: list[0] as tf.Tensor2D, features };
    },

    predictLogits(x: tf.Tensor): tf.Tensor2D {
      assertUsable(x);
      // The original model computes only the logits, skipping tap-only branches.
      return tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor2D);
    },

    trainableVariables: () => model.trainableWeights.map(variableOf),
    stateVariables: () => weightsByName(model.weights),
    countParams: () => countElements(model.trainableWeights),
    applyConstraints: () => applyWeightConstraints(model.trainableWeights),

    dispose(): void {
      if (disposed) return;
      disposed = true;
      // The tap model shares the layers and owns no weights of its own: disposing both would
      // release each layer twice, so only the original model is disposed.
      model.dispose();
    },
  };
}
