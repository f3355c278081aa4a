import type * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError, InputShapeError, MissingFeatureError } from '@distillery/core';

/** The single input's per-sample shape; it must be fully known so forward can check batches against it. */
export function readInputShape(model: tf.LayersModel, name: string): number[] {
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || input === undefined) {
    throw new ConfigError(`${name} has ${model.inputs.length} inputs`, 'Distillery models take exactly one input tensor');
  }
  const shape = input.shape.slice(1);
  if (shape.some((d) => d === null)) {
    throw new ConfigError(
      `${name} has a partly unknown input shape [${shape.map((d) => d ?? '?').join(', ')}]`,
      'give the input layer a full per-sample shape, e.g. tf.input({ shape: [28, 28, 1] })',
    );
  }
  return shape as number[];
}

/** Number of classes from the logits output [batch, classes], checked against `expected` when given. */
export function readNumClasses(model: tf.LayersModel, name: string, expected: number | undefined): number {
  const output = model.outputs[0];
  if (model.outputs.length !== 1 || output === undefined) {
    throw new ConfigError(`${name} has ${model.outputs.length} outputs`, 'the model must have one output: the logits; expose other tensors as taps');
  }
  const classes = output.shape[1];
  if (output.shape.length !== 2 || classes === null || classes === undefined) {
    throw new ConfigError(
      `${name} outputs shape [${output.shape.map((d) => d ?? '?').join(', ')}], not [batch, classes]`,
      'end the model with a Dense layer of numClasses units (flatten or pool before it)',
    );
  }
  if (expected !== undefined && expected !== classes) throw new ClassCountMismatchError(name, expected, classes);
  return classes;
}

/**
 * Losses need logits: a softmax at the end would be applied twice (and its log would lose precision),
 * so a final softmax, as a Dense activation, an Activation layer or a Softmax layer, is refused.
 */
export function assertEndsInLogits(model: tf.LayersModel, name: string): void {
  const last = model.outputs[0]?.sourceLayer;
  if (last === undefined) return;
  const config = last.getConfig();
  if (last.getClassName() === 'Softmax' || config['activation'] === 'softmax') {
    throw new ConfigError(
      `${name} ends in a softmax (layer "${last.name}"), but Distillery needs raw logits`,
      'remove the softmax: give the last Dense layer activation "linear" (the default); losses apply softmax themselves',
    );
  }
}

/** The layer's output in the model's graph, as a symbolic tensor the multi-output model can fetch. */
export function tapOutput(model: tf.LayersModel, name: string, tapName: string, layerName: string): tf.SymbolicTensor {
  const layer = model.layers.find((candidate) => candidate.name === layerName);
  if (layer === undefined) {
    throw new MissingFeatureError(name, `${tapName} (layer "${layerName}")`, model.layers.map((l) => l.name));
  }
  let output: tf.SymbolicTensor | tf.SymbolicTensor[];
  try {
    output = layer.output;
  } catch {
    throw new ConfigError(
      `layer "${layerName}" of ${name} is called more than once, so its output is ambiguous`,
      'tap a layer that is used once, or wrap the shared call in its own layer',
    );
  }
  if (Array.isArray(output)) {
    throw new ConfigError(`layer "${layerName}" of ${name} has several outputs`, 'tap a layer with a single output tensor');
  }
  return output;
}

/** Refuses a batch whose per-sample shape differs from the model's (a clearer error than tfjs's). */
export function assertInputShape(name: string, expected: readonly number[], x: tf.Tensor): void {
  const actual = x.shape.slice(1);
  if (x.rank !== expected.length + 1 || actual.some((d, i) => d !== expected[i])) {
    throw new InputShapeError(`${name} (-1 = any batch size)`, [-1, ...expected], x.shape);
  }
}
