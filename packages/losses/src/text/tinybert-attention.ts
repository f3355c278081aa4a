import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, type KnowledgeLoss, type LossDefinition, type LossSetup, type StepContext } from '@distillery/core';
import { readFeature, setupShape } from '../feature/features.js';
import { requirePrepared } from '../feature/taps.js';
import { checkLossRequirements } from '../requirements.js';
import { requireMatchingHeads } from './heads.js';
import { declaredLayerTaps, mapLayers, resolveLayerMap } from './layer-map.js';
import type { LayerMapping, LayerPair } from './layer-map.js';
import { jiao2020 } from './references.js';
import { checkTeacherAccess, layerTap, MASK, readMask, requireShape, SCORES } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type TinyBertAttentionOptions = {
  readonly mapping: LayerMapping;
  readonly studentLayers: readonly number[];
  readonly teacherLayers: readonly number[];
};

export const TINYBERT_ATTENTION_DEFAULTS: TinyBertAttentionOptions = { mapping: 'uniform', studentLayers: [], teacherLayers: [] };

export interface TinyBertAttentionLoss extends KnowledgeLoss {
  readonly options: TinyBertAttentionOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { tinybertAttention: tf.Scalar };
  readonly pairs: readonly LayerPair[];
}

/**
 * Masked MSE of [B, H, L, L] attention scores over real (query, key) pairs and heads:
 * sum_{b,h,q,k} m_bq m_bk (S - T)^2 / (H sum_b n_b^2), n_b the real tokens of sample b.
 */
export function maskedAttentionMse(student: tf.Tensor, teacher: tf.Tensor, mask: tf.Tensor2D): tf.Scalar {
  const [batch, heads, length] = teacher.shape as [number, number, number, number];
  return tf.tidy(() => {
    const pairMask = tf.mul(tf.reshape(mask, [batch, 1, length, 1]), tf.reshape(mask, [batch, 1, 1, length]));
    const squared = tf.mul(tf.square(tf.sub(student, teacher)), pairMask);
    return tf.div(tf.sum(squared), tf.mul(tf.maximum(tf.sum(pairMask), 1), heads));
  });
}

/**
 * TinyBERT's attention-based distillation (Jiao et al. 2020, eq. 7): MSE between the student's and the
 * teacher's attention scores (`attention.scores.<i>` [B, H, L, L], Q K^T / sqrt(d_h) before the padding
 * mask) of mapped layers, head by head (equal head counts), summed over layer pairs. TinyBERT uses the
 * unnormalised scores rather than the softmax because they converged faster; its code replaces
 * masked -inf scores by 0 - here the scores are taken before masking and padded query rows and key
 * columns are left out through the `mask` feature, so padding changes nothing.
 */
export function tinyBertAttentionLoss(options: Partial<TinyBertAttentionOptions> = {}): TinyBertAttentionLoss {
  const name = 'tinybert-attention';
  rejectUnknownOptions(name, options, Object.keys(TINYBERT_ATTENTION_DEFAULTS));
  const map = resolveLayerMap(name, { ...TINYBERT_ATTENTION_DEFAULTS, ...options });
  const declared = declaredLayerTaps(map, SCORES);
  let pairs: LayerPair[] = [];
  let shapes: Array<{ student: readonly number[]; teacher: readonly number[] }> = [];
  let prepared = false;

  const loss: TinyBertAttentionLoss = {
    name,
    options: map,
    requires: { teacher: 'white-box', studentFeatures: [MASK, ...declared.student], teacherFeatures: declared.teacher },
    get pairs() {
      return pairs;
    },
    prepare(setup) {
      checkTeacherAccess(loss, setup);
      const nextPairs = mapLayers(name, map, SCORES, setup.studentFeatureShapes, setup.teacherFeatureShapes);
      checkLossRequirements(loss, setup);
      shapes = nextPairs.map((pair) => {
        const student = setupShape(setup, 'student', layerTap(SCORES, pair.student));
        const teacher = setupShape(setup, 'teacher', layerTap(SCORES, pair.teacher));
        requireMatchingHeads(name, `attention scores of student layer ${pair.student} and teacher layer ${pair.teacher}`, student, teacher);
        return { student, teacher };
      });
      pairs = nextPairs;
      prepared = true;
    },
    compute(context) {
      requirePrepared(name, prepared);
      const tinybertAttention = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        let mask: tf.Tensor2D | undefined;
        pairs.forEach((pair, i) => {
          const s = readFeature(context, 'student', layerTap(SCORES, pair.student), name, shapes[i]?.student);
          const t = readFeature(context, 'teacher', layerTap(SCORES, pair.teacher), name, shapes[i]?.teacher);
          const [batch, , length] = t.shape as [number, number, number, number];
          requireShape(name, `student ${layerTap(SCORES, pair.student)}`, s.shape, t.shape, 'run the teacher on the same batch as the student');
          mask ??= readMask(context, name, batch, length);
          total = tf.add(total, maskedAttentionMse(s, t, mask));
        });
        return total;
      });
      return { tinybertAttention };
    },
    dispose() {
      pairs = [];
      shapes = [];
      prepared = false;
    },
  };
  return loss;
}

export const tinyBertAttentionDefinition: LossDefinition<TinyBertAttentionOptions> = {
  kind: 'loss',
  name: 'tinybert-attention',
  summary: 'TinyBERT attention distillation: MSE between student and teacher attention scores of mapped layers, over real tokens',
  knowledge: 'feature',
  reference: jiao2020,
  defaults: TINYBERT_ATTENTION_DEFAULTS,
  create: (options) => tinyBertAttentionLoss(options),
};
