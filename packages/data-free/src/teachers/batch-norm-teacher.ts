import * as tf from '@tensorflow/tfjs';
import { ConfigError, MissingFeatureError, type Teacher } from '@distillery/core';
import { asTeacher, type LayersTrainableModel } from '@distillery/models';
import type { BatchNormStatistic } from '../losses/batch-norm-statistics.js';

/** A white-box teacher that also names its batch norms' inputs and moving statistics (what DeepInversion matches). */
export interface BatchNormTeacher extends Teacher {
  readonly batchNormStatistics: readonly BatchNormStatistic[];
}

/** Feature-tap name under which a batch norm's input is exposed. */
export const batchNormTapName = (layerName: string): string => `bn:${layerName}`;

function batchNormLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization');
}

function movingVariable(layer: tf.layers.Layer, suffix: string): tf.Variable {
  const weight = layer.weights.find((w) => w.originalName.endsWith(suffix));
  const value = weight?.read();
  if (!(value instanceof tf.Variable)) throw new ConfigError(`batch norm "${layer.name}" has no ${suffix} variable`, 'build the layer with tf.layers.batchNormalization');
  return value;
}

/**
 * Feature taps that expose every batch norm's input, `bn:<layer> -> <the layer feeding it>`, to pass to
 * fromLayersModel's `taps` beside your own. Each batch norm must be fed by a single layer output.
 */
export function batchNormTaps(model: tf.LayersModel): Record<string, string> {
  const taps: Record<string, string> = {};
  for (const layer of batchNormLayers(model)) {
    const inbound = layer.inboundNodes[0]?.inboundLayers;
    const source = inbound?.[0];
    if (!source || inbound.length !== 1) {
      throw new ConfigError(`batch norm "${layer.name}" is not fed by exactly one layer`, 'DeepInversion taps the output of the layer before each batch norm');
    }
    taps[batchNormTapName(layer.name)] = source.name;
  }
  return taps;
}

/** The moving statistics of every batch norm, each with the tap that carries its input (the live variables). */
export function batchNormStatistics(model: tf.LayersModel): BatchNormStatistic[] {
  return batchNormLayers(model).map((layer) => ({
    feature: batchNormTapName(layer.name),
    mean: movingVariable(layer, '/moving_mean') as tf.Variable<tf.Rank.R1>,
    variance: movingVariable(layer, '/moving_variance') as tf.Variable<tf.Rank.R1>,
  }));
}

/**
 * A frozen white-box teacher view of a model with batch norms, carrying their statistics. The model must
 * have been built with `batchNormTaps` among its taps (lenet5Bn does this).
 */
export function batchNormTeacher(model: LayersTrainableModel): BatchNormTeacher {
  const statistics = batchNormStatistics(model.layersModel);
  if (statistics.length === 0) {
    throw new ConfigError(`model "${model.name}" has no batch-norm layers`, 'DeepInversion matches batch-norm statistics: use a teacher with batch norms (e.g. lenet5Bn) or set batchNormWeight to 0');
  }
  for (const { feature } of statistics) {
    if (!model.featureNames.includes(feature)) throw new MissingFeatureError(`model "${model.name}"`, feature, model.featureNames);
  }
  return { ...asTeacher(model), batchNormStatistics: statistics };
}

/** The statistics a teacher carries (none for a plain Teacher). */
export function statisticsOf(teacher: Teacher): readonly BatchNormStatistic[] {
  const candidate = (teacher as Partial<BatchNormTeacher>).batchNormStatistics;
  return Array.isArray(candidate) ? candidate : [];
}
