import { ConfigError, EmptyDatasetError, InputShapeError, LabelOutOfRangeError, NonFiniteInputError } from '@distillery/core';
import { checkShape, shapeSize } from './shape.js';

/** Shapes, counts and numClasses; the cheap checks that come before any per-element scan. */
export function checkLayout(name: string, inputShape: readonly number[], imageShape: readonly number[], numClasses: number, inputsLength: number, labelsLength: number): void {
  checkShape(`dataset "${name}" inputShape`, inputShape);
  checkShape(`dataset "${name}" imageShape`, imageShape);
  if (shapeSize(imageShape) !== shapeSize(inputShape)) {
    throw new InputShapeError(`dataset "${name}" imageShape`, inputShape, imageShape);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ConfigError(`dataset "${name}" numClasses must be a positive integer, got ${numClasses}`, 'pass the number of classes, e.g. 10 for MNIST');
  }
  if (labelsLength === 0) throw new EmptyDatasetError(`dataset "${name}"`);
  const rowLength = shapeSize(inputShape);
  if (inputsLength !== labelsLength * rowLength) {
    // Report the shape the inputs would need against what their length allows.
    const actualRows = inputsLength / rowLength;
    const actual = Number.isInteger(actualRows) ? [actualRows, ...inputShape] : [inputsLength];
    throw new InputShapeError(`dataset "${name}" inputs (one row per label)`, [labelsLength, ...inputShape], actual);
  }
}

/** Converts labels to Int32Array, rejecting non-integers and ids outside [0, numClasses). */
export function checkedLabels(labels: Int32Array | readonly number[], numClasses: number): Int32Array {
  const out = labels instanceof Int32Array ? labels : new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) throw new LabelOutOfRangeError(label, numClasses, i);
    out[i] = label;
  }
  return out;
}

// Arrays already scanned: views (flattened, reshaped, withTransform) share their parent's array and
// would otherwise rescan tens of millions of values. Inputs are documented as not to be mutated.
const scanned = new WeakSet<Float32Array>();

/** One pass over the inputs: NaN and +-Infinity are the only values for which v - v is not 0. */
export function checkFinite(inputs: Float32Array, rowLength: number): void {
  if (scanned.has(inputs)) return;
  for (let i = 0; i < inputs.length; i++) {
    const value = inputs[i] as number;
    if (value - value !== 0) throw new NonFiniteInputError(Math.floor(i / rowLength));
  }
  scanned.add(inputs);
}
