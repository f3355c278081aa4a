import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireChoice, requirePositive } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { readFeature, requireSameBatch, setupShape } from '../feature/features.js';
import { checkLossRequirements } from '../requirements.js';
import { PROJECTION_CHOICES } from './masked-mse.js';
import type { ProjectionChoice } from './masked-mse.js';
import { gao2021 } from './references.js';
import { TapProjection } from './tap-projection.js';
import { POOLED } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type ContrastiveEmbeddingOptions = {
  /** tau of the cosine-similarity logits; 0.05 as in SimCSE */
  readonly temperature: number;
  /** a learned linear map of the student's embedding onto the teacher's width */
  readonly projection: ProjectionChoice;
};

export const CONTRASTIVE_EMBEDDING_DEFAULTS: ContrastiveEmbeddingOptions = { temperature: 0.05, projection: 'auto' };

export interface ContrastiveEmbeddingLoss extends KnowledgeLoss {
  readonly options: ContrastiveEmbeddingOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { contrastiveEmbedding: tf.Scalar };
  variables(): Record<string, tf.Variable>;
  dispose(): void;
}

function unitRows(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', -1, true), 1e-12)));
}

/**
 * Contrastive sentence-embedding distillation: InfoNCE with in-batch negatives between the student's
 * and the teacher's `pooled` embeddings. With s_i = normalise(W pooled_S,i) and t_j = normalise(pooled_T,j),
 * the loss is mean_i -log softmax_j(s_i . t_j / tau)[i]: each student sentence must pick its own teacher
 * embedding among the batch's (the SimCSE objective with the teacher as the positive view). A batch of
 * one has no negatives and gives 0.
 */
export function contrastiveEmbeddingLoss(options: Partial<ContrastiveEmbeddingOptions> = {}): ContrastiveEmbeddingLoss {
  const name = 'contrastive-embedding';
  rejectUnknownOptions(name, options, Object.keys(CONTRASTIVE_EMBEDDING_DEFAULTS));
  const merged = { ...CONTRASTIVE_EMBEDDING_DEFAULTS, ...options };
  const resolved: ContrastiveEmbeddingOptions = {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'SimCSE uses 0.05'),
    projection: requireChoice(name, 'projection', merged.projection, PROJECTION_CHOICES),
  };
  const state = new TapProjection(name, resolved.projection);

  const loss: ContrastiveEmbeddingLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: [POOLED], teacherFeatures: [POOLED] },
    prepare(setup) {
      checkLossRequirements(loss, setup);
      const student = setupShape(setup, 'student', POOLED);
      const teacher = setupShape(setup, 'teacher', POOLED);
      if (student.length !== 1 || teacher.length !== 1) {
        throw new ConfigError(`${name}: "${POOLED}" must be a vector per sample, got [${student.join(', ')}] and [${teacher.join(', ')}]`, 'pooled is the sentence embedding [width]');
      }
      state.reset({ student, teacher }, { student: student[0] as number, teacher: teacher[0] as number }, setup.seed);
    },
    compute(context) {
      const shapes = state.shapes();
      const contrastiveEmbedding = tf.tidy((): tf.Scalar => {
        const pooledS = readFeature(context, 'student', POOLED, name, shapes.student);
        const t = unitRows(readFeature(context, 'teacher', POOLED, name, shapes.teacher));
        const batch = requireSameBatch(name, pooledS, t);
        const s = unitRows(state.apply(pooledS));
        const logits = tf.div(tf.matMul(s as tf.Tensor2D, t as tf.Tensor2D, false, true), resolved.temperature);
        return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.eye(batch)))), batch) as tf.Scalar;
      });
      return { contrastiveEmbedding };
    },
    variables: () => state.variables(),
    dispose: () => state.dispose(),
  };
  return loss;
}

export const contrastiveEmbeddingDefinition: LossDefinition<ContrastiveEmbeddingOptions> = {
  kind: 'loss',
  name: 'contrastive-embedding',
  summary: "Contrastive embedding distillation: InfoNCE between student and teacher sentence embeddings with in-batch negatives",
  knowledge: 'relation',
  reference: gao2021,
  defaults: CONTRASTIVE_EMBEDDING_DEFAULTS,
  create: (options) => contrastiveEmbeddingLoss(options),
};
