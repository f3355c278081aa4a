import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, requireChoice, type KnowledgeLoss, type LossDefinition, type LossSetup, type StepContext } from '@distillery/core';
import { readFeature, setupShape } from '../feature/features.js';
import { checkLossRequirements } from '../requirements.js';
import { maskedSequenceMse, PROJECTION_CHOICES } from './masked-mse.js';
import type { ProjectionChoice } from './masked-mse.js';
import { jiao2020 } from './references.js';
import { TapProjection } from './tap-projection.js';
import { EMBEDDINGS, MASK, readMask, requireShape, sequenceWidths } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type TinyBertEmbeddingOptions = {
  /** 'auto': a learned W_e only when the widths differ; 'always'; 'never' (widths must match) */
  readonly projection: ProjectionChoice;
};

export const TINYBERT_EMBEDDING_DEFAULTS: TinyBertEmbeddingOptions = { projection: 'auto' };

export interface TinyBertEmbeddingLoss extends KnowledgeLoss {
  readonly options: TinyBertEmbeddingOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { tinybertEmbedding: tf.Scalar };
  variables(): Record<string, tf.Variable>;
  dispose(): void;
}

/**
 * TinyBERT's embedding-layer distillation (Jiao et al. 2020, eq. 9): MSE(E_S W_e, E_T) between the
 * student's and the teacher's `embeddings` [B, L, D], averaged over real tokens and the teacher width
 * (padded positions are excluded by the `mask` feature). W_e (with a bias, as the official fit_dense) is
 * owned by the loss and trained with the student; it exists only when the widths differ, unless
 * projection is 'always'.
 */
export function tinyBertEmbeddingLoss(options: Partial<TinyBertEmbeddingOptions> = {}): TinyBertEmbeddingLoss {
  const name = 'tinybert-embedding';
  rejectUnknownOptions(name, options, Object.keys(TINYBERT_EMBEDDING_DEFAULTS));
  const merged = { ...TINYBERT_EMBEDDING_DEFAULTS, ...options };
  const resolved: TinyBertEmbeddingOptions = { projection: requireChoice(name, 'projection', merged.projection, PROJECTION_CHOICES) };
  const state = new TapProjection(name, resolved.projection);

  const loss: TinyBertEmbeddingLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: [EMBEDDINGS, MASK], teacherFeatures: [EMBEDDINGS] },
    prepare(setup) {
      checkLossRequirements(loss, setup);
      const student = setupShape(setup, 'student', EMBEDDINGS);
      const teacher = setupShape(setup, 'teacher', EMBEDDINGS);
      const widths = sequenceWidths(name, student, teacher, 'the embeddings');
      state.reset({ student, teacher }, widths, setup.seed);
    },
    compute(context) {
      const shapes = state.shapes();
      const tinybertEmbedding = tf.tidy((): tf.Scalar => {
        const s = readFeature(context, 'student', EMBEDDINGS, name, shapes.student);
        const t = readFeature(context, 'teacher', EMBEDDINGS, name, shapes.teacher);
        const [batch, length] = t.shape as [number, number];
        requireShape(name, 'student embeddings', s.shape.slice(0, 2), [batch, length], 'run the teacher on the same batch as the student');
        return maskedSequenceMse(state.apply(s), t, readMask(context, name, batch, length));
      });
      return { tinybertEmbedding };
    },
    variables: () => state.variables(),
    dispose: () => state.dispose(),
  };
  return loss;
}

export const tinyBertEmbeddingDefinition: LossDefinition<TinyBertEmbeddingOptions> = {
  kind: 'loss',
  name: 'tinybert-embedding',
  summary: "TinyBERT embedding distillation: MSE between the student's projected embeddings and the teacher's, over real tokens",
  knowledge: 'feature',
  reference: jiao2020,
  defaults: TINYBERT_EMBEDDING_DEFAULTS,
  create: (options) => tinyBertEmbeddingLoss(options),
};
