import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { deriveSeed } from '@distillery/models';

/** An auxiliary classifier at one feature tap, owned by the BYOT scheme. */
export interface Head {
  readonly tap: string;
  /** width of the bottleneck output: the deepest feature's width, so the hint can compare them */
  readonly width: number;
  /** logits [batch, classes] and bottleneck features [batch, width] from the tap's features */
  apply(feature: tf.Tensor): { readonly logits: tf.Tensor2D; readonly bottleneck: tf.Tensor2D };
  /**
   * A copy of the head (fresh layers holding the current weights) applied to a symbolic tensor, for
   * building a deployable model; `release` frees the copy's weights once that model has been cloned.
   */
  applyCopy(feature: tf.SymbolicTensor): { readonly output: tf.SymbolicTensor; release(): void };
  /** every weight by a stable name, "<layer>/kernel" */
  variables(): Record<string, tf.Variable>;
  trainableVariables(): tf.Variable[];
  dispose(): void;
}

function safeName(tap: string): string {
  return tap.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function variableOf(weight: tf.LayerVariable): tf.Variable {
  const value = weight.read();
  if (!(value instanceof tf.Variable)) throw new TypeError(`weight ${weight.name} is not backed by a tf.Variable`);
  return value;
}

/**
 * The bottleneck of a head, by the rank of the tap's features:
 *   [features]      -> dense(width, ReLU)
 *   [h, w, channels] -> conv 3x3 (width filters, ReLU, same padding) -> global average pooling
 * then a dense layer to the classes. BYOT's heads are bottleneck blocks plus pooling and a fully
 * connected layer; one block keeps them cheap next to the small backbones used here.
 */
function bottleneckLayers(name: string, featureShape: readonly number[], width: number, seed: number): tf.layers.Layer[] {
  const kernelInitializer = (label: string) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, `${name}/${label}`) });
  if (featureShape.length === 1) {
    return [tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: kernelInitializer('bottleneck'), name: `${name}_bottleneck` })];
  }
  if (featureShape.length === 3) {
    return [
      tf.layers.conv2d({ filters: width, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: kernelInitializer('bottleneck'), name: `${name}_bottleneck` }),
      tf.layers.globalAveragePooling2d({ name: `${name}_pool` }),
    ];
  }
  throw new ConfigError(
    `byot: tap "${name}" has per-sample shape [${featureShape.join(', ')}]; heads attach to [features] or [height, width, channels] taps`,
    'pick a dense or convolutional tap',
  );
}

function headLayers(name: string, featureShape: readonly number[], width: number, numClasses: number, seed: number): tf.layers.Layer[] {
  const classifier = tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, `${name}/logits`) }), name: `${name}_logits` });
  return [...bottleneckLayers(name, featureShape, width, seed), classifier];
}

export function buildHead(tap: string, featureShape: readonly number[], width: number, numClasses: number, seed: number): Head {
  const name = `byot_${safeName(tap)}`;
  const layers = headLayers(name, featureShape, width, numClasses, seed);
  const bottleneck = layers.slice(0, -1);
  const classifier = layers[layers.length - 1] as tf.layers.Layer;

  const apply = (feature: tf.Tensor) => {
    const features = bottleneck.reduce((h, layer) => layer.apply(h) as tf.Tensor, feature) as tf.Tensor2D;
    return { logits: classifier.apply(features) as tf.Tensor2D, bottleneck: features };
  };
  // Build every weight now (deterministically, from the seeds) so trackables exist before the first step.
  tf.tidy(() => {
    apply(tf.zeros([1, ...featureShape]));
  });

  return {
    tap,
    width,
    apply,
    applyCopy: (feature) => {
      // Fresh layers rather than these: a symbolic call raises a layer's reference count, and a head
      // shared with a deployed model would then outlive the scheme's dispose().
      const copies = headLayers(name, featureShape, width, numClasses, seed);
      const output = copies.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, feature);
      copies.forEach((copy, i) => copy.setWeights((layers[i] as tf.layers.Layer).getWeights()));
      return { output, release: () => copies.forEach((copy) => copy.dispose()) };
    },
    variables: () => Object.fromEntries(layers.flatMap((layer) => layer.weights.map((w) => [w.originalName, variableOf(w)]))),
    trainableVariables: () => layers.flatMap((layer) => layer.trainableWeights.map(variableOf)),
    dispose: () => layers.forEach((layer) => layer.dispose()),
  };
}

/** The width a head's bottleneck must have to be compared with the deepest features (channels for maps). */
export function featureWidth(feature: string, shape: readonly number[]): number {
  if (shape.length === 1 || shape.length === 3) return shape[shape.length - 1] as number;
  throw new ConfigError(`byot: the deepest feature "${feature}" has per-sample shape [${shape.join(', ')}]`, 'use a [features] or [height, width, channels] tap');
}

/** Deepest features as vectors: maps are globally average-pooled, as the heads' bottlenecks are. */
export function pooled(feature: tf.Tensor): tf.Tensor2D {
  return (feature.rank === 4 ? tf.mean(feature, [1, 2]) : feature) as tf.Tensor2D;
}
