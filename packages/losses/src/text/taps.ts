import * as tf from '@tensorflow/tfjs';
import { ConfigError, MissingFeatureError, TeacherAccessError } from '@distillery/core';
import type { KnowledgeLoss, LossSetup, StepContext } from '@distillery/core';
import { readFeature } from '../feature/features.js';
import type { FeatureSide } from '../feature/features.js';
import { stopGradient } from '../stop-gradient.js';

/** Feature names of the text contract (see @distillery/models' text models). */
export const MASK = 'mask';
export const EMBEDDINGS = 'embeddings';
export const POOLED = 'pooled';
export const TOKEN_LOGITS = 'tokenLogits';
export const TOKENS = 'tokens';
export const HIDDEN = 'hidden';
export const SCORES = 'attention.scores';
export const VALUES = 'values';

/** `hidden.3`, `attention.scores.3`, ... */
export function layerTap(prefix: string, layer: number): string {
  return `${prefix}.${layer}`;
}

/** The layer numbers a model exposes under `prefix` (e.g. hidden.1 .. hidden.4 -> [1, 2, 3, 4]), ascending. */
export function availableLayers(shapes: Readonly<Record<string, readonly number[]>>, prefix: string): number[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  const layers: number[] = [];
  for (const name of Object.keys(shapes)) {
    const match = pattern.exec(name);
    if (match) layers.push(Number(match[1]));
  }
  return layers.sort((a, b) => a - b);
}

/** A layer a mapping names that the model lacks: a MissingFeatureError listing the layers it has. */
export function missingLayer(loss: string, side: FeatureSide, prefix: string, layer: number, available: readonly number[]): MissingFeatureError {
  return new MissingFeatureError(
    `the ${side} (layer ${layer}, asked for by loss "${loss}"; ${side} layers: ${available.length ? available.join(', ') : 'none'})`,
    layerTap(prefix, layer),
    available.map((l) => layerTap(prefix, l)),
  );
}

/** A white-box loss with a black-box teacher fails on access first, before any feature check. */
export function checkTeacherAccess(loss: Pick<KnowledgeLoss, 'name' | 'requires'>, setup: LossSetup): void {
  if (loss.requires.teacher === 'white-box' && setup.teacherAccess === 'black-box') throw new TeacherAccessError(loss.name);
}

export function requireShape(loss: string, what: string, actual: readonly number[], expected: readonly number[], hint: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ConfigError(`${loss}: ${what} has shape [${actual.join(', ')}], expected [${expected.join(', ')}]`, hint);
  }
}

/**
 * The student's padding mask [batch, length] as a float32 constant (1 real token, 0 padding). Both
 * models read the same token ids, so the student's mask is the teacher's too. Held constant: it is
 * data, and a comparison on the tape would have no gradient.
 */
export function readMask(context: StepContext, loss: string, batch: number, length: number): tf.Tensor2D {
  const mask = readFeature(context, 'student', MASK, loss);
  requireShape(loss, `student feature "${MASK}"`, mask.shape, [batch, length], 'the mask is [batch, sequence length], 1 for real tokens and 0 for padding');
  return stopGradient(mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32')) as tf.Tensor2D;
}

/** sum(values x mask) / max(sum(mask), 1) for per-token values [batch, length]: the mean over real tokens. */
export function maskedTokenMean(values: tf.Tensor, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)));
}

/** Additive key bias [batch, 1, 1, length]: 0 for real keys, -1e9 for padded ones, so softmax gives them 0. */
export function keyBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = mask.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(mask, 1), 1e9), [batch, 1, 1, length]));
}

/** Per-query KL(P || Q) over keys [B, H, L] from logits already biased, P and Q softmax over the last axis. */
export function rowKl(logitsP: tf.Tensor, logitsQ: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logitsP);
    const logQ = tf.logSoftmax(logitsQ);
    // Logits are finite (padding is -1e9, not -Infinity), so p = 0 entries give 0 x finite = 0.
    return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
  });
}

/**
 * Mean over heads and real query positions of per-query values [B, H, L]:
 * sum_{b,h,q} m_bq v_bhq / (H x sum m).
 */
export function headQueryMean(values: tf.Tensor, mask: tf.Tensor2D): tf.Scalar {
  const [batch, heads, length] = values.shape as [number, number, number];
  return tf.tidy(() => tf.div(tf.sum(tf.mul(values, tf.reshape(mask, [batch, 1, length]))), tf.mul(tf.maximum(tf.sum(mask), 1), heads)));
}

/**
 * Per-sample shapes [L, D_S] and [L, D_T] of a sequence feature pair: both rank 2 with the same length
 * (both models read the same token windows). Returns the length and the two widths.
 */
export function sequenceWidths(loss: string, student: readonly number[], teacher: readonly number[], what: string): { length: number; student: number; teacher: number } {
  const [ls, ds] = student;
  const [lt, dt] = teacher;
  if (student.length !== 2 || teacher.length !== 2 || ls !== lt || ds === undefined || dt === undefined || lt === undefined) {
    throw new ConfigError(
      `${loss}: ${what} have per-sample shapes [${student.join(', ')}] (student) and [${teacher.join(', ')}] (teacher), expected [length, width] with one length`,
      'student and teacher must be sequence models reading the same token windows (same maxLength)',
    );
  }
  return { length: lt, student: ds, teacher: dt };
}
