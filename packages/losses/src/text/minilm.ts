import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, type KnowledgeLoss, type LossDefinition, type LossSetup, type StepContext } from '@distillery/core';
import { readFeature, setupShape } from '../feature/features.js';
import { requirePrepared } from '../feature/taps.js';
import { checkLossRequirements } from '../requirements.js';
import { requireMatchingHeads } from './heads.js';
import { chooseLayer, declaredTap, requireLayerChoice } from './minilm-layer.js';
import type { LayerChoice } from './minilm-layer.js';
import { wang2020 } from './references.js';
import { checkTeacherAccess, headQueryMean, keyBias, layerTap, MASK, readMask, requireShape, rowKl, SCORES, VALUES } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type MiniLmOptions = {
  /** the student layer distilled into; MiniLM uses the last */
  readonly studentLayer: LayerChoice;
  /** the teacher layer distilled from; MiniLM uses the last, MiniLMv2 an upper-middle one */
  readonly teacherLayer: LayerChoice;
};

export const MINILM_DEFAULTS: MiniLmOptions = { studentLayer: 'last', teacherLayer: 'last' };

type MiniLmKind = 'attention' | 'value';

export interface MiniLmLoss<Term extends string> extends KnowledgeLoss {
  readonly options: MiniLmOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): Record<Term, tf.Scalar>;
  /** the layers prepare chose (undefined before) */
  readonly layers: { readonly student: number; readonly teacher: number } | undefined;
}

/** Value-relation logits V V^T / sqrt(d_h) per head, [B, H, L, L] from values [B, H, L, d_h]. */
export function valueRelationLogits(values: tf.Tensor): tf.Tensor {
  const headSize = values.shape[3] as number;
  return tf.tidy(() => tf.div(tf.matMul(values as tf.Tensor4D, values as tf.Tensor4D, false, true), Math.sqrt(headSize)));
}

function miniLmLoss<Term extends string>(kind: MiniLmKind, name: string, term: Term, options: Partial<MiniLmOptions>): MiniLmLoss<Term> {
  rejectUnknownOptions(name, options, Object.keys(MINILM_DEFAULTS));
  const merged = { ...MINILM_DEFAULTS, ...options };
  const resolved: MiniLmOptions = {
    studentLayer: requireLayerChoice(name, 'studentLayer', merged.studentLayer),
    teacherLayer: requireLayerChoice(name, 'teacherLayer', merged.teacherLayer),
  };
  const prefix = kind === 'attention' ? SCORES : VALUES;
  let layers: { student: number; teacher: number } | undefined;
  let shapes: { student: readonly number[]; teacher: readonly number[] } | undefined;

  const loss: MiniLmLoss<Term> = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: [MASK, declaredTap(prefix, resolved.studentLayer)], teacherFeatures: [declaredTap(prefix, resolved.teacherLayer)] },
    get layers() {
      return layers;
    },
    prepare(setup) {
      checkTeacherAccess(loss, setup);
      const student = chooseLayer(name, 'student', prefix, resolved.studentLayer, setup);
      const teacher = chooseLayer(name, 'teacher', prefix, resolved.teacherLayer, setup);
      checkLossRequirements(loss, setup);
      const s = setupShape(setup, 'student', layerTap(prefix, student));
      const t = setupShape(setup, 'teacher', layerTap(prefix, teacher));
      requireMatchingHeads(name, `${kind === 'attention' ? 'attention scores' : 'values'} of student layer ${student} and teacher layer ${teacher}`, s, t);
      layers = { student, teacher };
      shapes = { student: s, teacher: t };
    },
    compute(context) {
      requirePrepared(name, layers !== undefined);
      const chosen = layers as { student: number; teacher: number };
      const value = tf.tidy((): tf.Scalar => {
        const s = readFeature(context, 'student', layerTap(prefix, chosen.student), name, shapes?.student);
        const t = readFeature(context, 'teacher', layerTap(prefix, chosen.teacher), name, shapes?.teacher);
        const [batch, heads, length] = t.shape as [number, number, number, number];
        requireShape(name, 'student heads', s.shape.slice(0, 3), [batch, heads, length], 'run the teacher on the same batch as the student');
        const mask = readMask(context, name, batch, length);
        const bias = keyBias(mask);
        const logitsS = kind === 'attention' ? s : valueRelationLogits(s);
        const logitsT = kind === 'attention' ? t : valueRelationLogits(t);
        return headQueryMean(rowKl(tf.add(logitsT, bias), tf.add(logitsS, bias)), mask);
      });
      return { [term]: value } as Record<Term, tf.Scalar>;
    },
    dispose() {
      layers = undefined;
      shapes = undefined;
    },
  };
  return loss;
}

/**
 * MiniLM's self-attention distribution transfer (Wang et al. 2020, eq. 6): KL(A_T || A_S) between the
 * teacher's and the student's attention distributions of one layer each (default: the last), per head,
 * averaged over heads and the batch's real query positions. A = softmax over real keys of the raw
 * scores `attention.scores.<i>` (the model's `attention.probs.<i>`, recomputed in log space so padded
 * keys are exactly excluded). No projection: head counts must match; head sizes and widths may differ.
 */
export function miniLmAttentionLoss(options: Partial<MiniLmOptions> = {}): MiniLmLoss<'minilmAttention'> {
  return miniLmLoss('attention', 'minilm-attention', 'minilmAttention', options);
}

/**
 * MiniLM's value-relation transfer (Wang et al. 2020, eq. 7-8): KL(VR_T || VR_S) with
 * VR = softmax(V V^T / sqrt(d_h)) over real keys, per head, from `values.<i>` [B, H, L, d_h] of one
 * layer each; averaged like minilm-attention. Head sizes may differ (the relation is L x L).
 */
export function miniLmValueLoss(options: Partial<MiniLmOptions> = {}): MiniLmLoss<'minilmValue'> {
  return miniLmLoss('value', 'minilm-value', 'minilmValue', options);
}

export const miniLmAttentionDefinition: LossDefinition<MiniLmOptions> = {
  kind: 'loss',
  name: 'minilm-attention',
  summary: "MiniLM attention transfer: KL between the teacher's and the student's last-layer self-attention distributions, per head",
  knowledge: 'feature',
  reference: wang2020,
  defaults: MINILM_DEFAULTS,
  create: (options) => miniLmAttentionLoss(options),
};

export const miniLmValueDefinition: LossDefinition<MiniLmOptions> = {
  kind: 'loss',
  name: 'minilm-value',
  summary: "MiniLM value-relation transfer: KL between the teacher's and the student's softmax(V V^T / sqrt(d)) per head",
  knowledge: 'relation',
  reference: wang2020,
  defaults: MINILM_DEFAULTS,
  create: (options) => miniLmValueLoss(options),
};
