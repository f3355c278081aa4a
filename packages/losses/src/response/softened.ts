import * as tf from '@tensorflow/tfjs';
import type { StepContext } from '@distillery/core';
import { klDivergence } from '../divergence.js';
import type { Reduction } from '../divergence.js';
import type { KdDirection } from '../kd.js';
import { studentLogits, teacherLogits } from '../logits.js';
import { stopGradient } from '../stop-gradient.js';

/** log softmax(z / T); T may be a tensor (CTKD's learnable temperature) so gradients reach it. */
export function softenedLogProbs(logits: tf.Tensor2D, temperature: number | tf.Scalar): tf.Tensor2D {
  return tf.logSoftmax(tf.div(logits, temperature)) as tf.Tensor2D;
}

/** `value` x T^2 when `scaleByT2` (Hinton et al.: keeps gradient magnitudes comparable across T), else `value`. */
export function scaledByT2(value: tf.Scalar, temperature: number | tf.Scalar, scaleByT2: boolean): tf.Scalar {
  if (!scaleByT2) return value;
  return tf.mul(value, typeof temperature === 'number' ? temperature * temperature : tf.square(temperature));
}

/**
 * Runs `body` in a tidy on the step's softened log-probabilities: logS = log softmax(z_S / T) and
 * logT = log softmax(z_T / T) with the teacher behind a stop-gradient. `zS` is the raw student logits
 * [batch, classes] (for shapes).
 */
export function softenedPair<T extends tf.Tensor>(
  context: StepContext,
  name: string,
  temperature: number,
  body: (pair: { readonly zS: tf.Tensor2D; readonly logS: tf.Tensor2D; readonly logT: tf.Tensor2D }) => T,
): T {
  const zS = studentLogits(context, name);
  const zT = teacherLogits(context, name);
  return tf.tidy(() => {
    const logS = softenedLogProbs(zS, temperature);
    const logT = softenedLogProbs(stopGradient(zT), temperature);
    return body({ zS, logS, logT });
  });
}

export interface SoftenedKlOptions {
  readonly direction: KdDirection;
  readonly reduction: Reduction;
  readonly scaleByT2: boolean;
}

/**
 * The `kd` computation (Hinton et al. 2015) at any temperature, for losses that choose T per step or
 * learn it: [T^2 x] KL(p_T || p_S) ('forward') or KL(p_S || p_T) ('reverse') with p = softmax(z / T).
 * The teacher side passes through a stop-gradient, as in `kd`.
 */
export function softenedKl(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number | tf.Scalar,
  options: SoftenedKlOptions,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const logS = softenedLogProbs(studentLogits, temperature);
    const logT = softenedLogProbs(stopGradient(teacherLogits), temperature);
    const divergence = options.direction === 'forward' ? klDivergence(logT, logS, options.reduction) : klDivergence(logS, logT, options.reduction);
    return scaledByT2(divergence, temperature, options.scaleByT2);
  });
}

/**
 * Sum over the selected rows of KL(p || q). `rows` is bool [batch, classes], constant along each row
 * (a full-shape mask: tfjs's `where` gradient does not broadcast a rank-1 condition). Unselected rows
 * compare p with itself, which adds exactly 0 to the value and - through klDivergence's custom
 * gradient - 0 to the gradient, so a per-sample choice of divergence needs no data-dependent shapes.
 */
export function rowMaskedKl(logP: tf.Tensor2D, logQ: tf.Tensor2D, rows: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => klDivergence(logP, tf.where(rows, logQ, logP) as tf.Tensor2D, 'sum'));
}

/** bool [batch, classes] from a bool [batch], for rowMaskedKl; build it inside `detached`. */
export function broadcastRows(rows: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.mul(tf.cast(tf.expandDims(rows, 1), 'float32'), tf.ones([1, classes])), 'bool') as tf.Tensor2D;
}
