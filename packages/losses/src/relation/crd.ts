import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireInRange, requireNonNegative, requirePositive, requirePositiveInteger } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireSameBatch, setupShape, sizeOf } from '../feature/features.js';
import { flattenSamples, l2Normalize } from '../feature/normalize.js';
import { requireTapName } from '../feature/options.js';
import { Projection } from '../feature/projection.js';
import { requirePrepared } from '../feature/taps.js';
import { ContrastMemory } from './crd-memory.js';
import { contrastNceLoss } from './crd-nce.js';
import { sampleContrastIndices } from './crd-sampling.js';
import { tian2020 } from './references.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type CrdOptions = {
  /** the student's and the teacher's representation taps (any shape, flattened per sample) */
  readonly studentFeature: string;
  readonly teacherFeature: string;
  /** embedding size of both heads (RepDistiller's feat_dim, 128) */
  readonly embedDim: number;
  /** negatives per positive, K; capped at N - 1 for a dataset of N samples (RepDistiller's nce_k is 16384) */
  readonly negatives: number;
  /** NCE temperature (nce_t) */
  readonly temperature: number;
  /** memory momentum (nce_m) */
  readonly momentum: number;
  /** multiplies the term; 0.8 is RepDistiller's weight for CRD (`-b 0.8`) */
  readonly beta: number;
};

export const CRD_DEFAULTS: CrdOptions = {
  studentFeature: 'hidden1',
  teacherFeature: 'hidden1',
  embedDim: 128,
  negatives: 4096,
  temperature: 0.07,
  momentum: 0.5,
  beta: 0.8,
};

export interface CrdLoss extends KnowledgeLoss {
  readonly options: CrdOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { crd: tf.Scalar };
  afterStep(context: StepContext): void;
  variables(): Record<string, tf.Variable>;
  dispose(): void;
  /** K actually used (options.negatives capped at N - 1); 0 before prepare */
  readonly negativesUsed: number;
  /**
   * The objective with explicit contrast indices [B, K' + 1] (column 0 the positives, then negatives):
   * the deterministic path behind `compute`, which draws the negatives itself.
   */
  computeWithContrast(context: StepContext, contrast: tf.Tensor2D): { crd: tf.Scalar };
  /**
   * Non-trainable state: both memory banks and both normalisation constants. Core's KnowledgeLoss has no
   * slot for it, so a checkpoint of `variables()` alone restarts the memory after a resume.
   */
  state(): Record<string, tf.Variable>;
}

function resolveCrdOptions(options: Partial<CrdOptions>): CrdOptions {
  rejectUnknownOptions('crd', options, Object.keys(CRD_DEFAULTS));
  const merged = { ...CRD_DEFAULTS, ...options };
  return {
    studentFeature: requireTapName('crd', 'studentFeature', merged.studentFeature),
    teacherFeature: requireTapName('crd', 'teacherFeature', merged.teacherFeature),
    embedDim: requirePositiveInteger('crd', 'embedDim', merged.embedDim, 'RepDistiller embeds into 128 dimensions'),
    negatives: requirePositiveInteger('crd', 'negatives', merged.negatives, 'use K >= 1 negatives; RepDistiller uses 16384, 4096 is the default here'),
    temperature: requirePositive('crd', 'temperature', merged.temperature, 'use a temperature > 0; the paper uses 0.07'),
    momentum: requireInRange('crd', 'momentum', merged.momentum, 0, 1, 'use a momentum in [0, 1]; the paper uses 0.5'),
    beta: requireNonNegative('crd', 'beta', merged.beta, 'use a weight >= 0; RepDistiller uses 0.8'),
  };
}

/**
 * Contrastive representation distillation (Tian et al., ICLR 2020), following RepDistiller's CRDLoss:
 * both representations go through a linear head and L2 normalisation (Embed); the student embedding is
 * scored against K + 1 rows of the teacher's memory bank and the teacher embedding against the student's
 * bank, scores exp(<m, v> / T) / Z; the term is beta * (NCE(student anchor) + NCE(teacher anchor)).
 * Gradients reach the student features and both heads; the memory banks are updated in afterStep by
 * momentum, keyed by the batch's sample indices, outside the gradient. Needs sample indices and the
 * dataset size (prepare fails on a dataset size of 0 or 1).
 */
export function crdLoss(options: Partial<CrdOptions> = {}): CrdLoss {
  const resolved = resolveCrdOptions(options);
  const name = 'crd';
  let heads: { student: Projection; teacher: Projection } | undefined;
  let memory: ContrastMemory | undefined;
  let dims = { student: 0, teacher: 0 };
  let negativesUsed = 0;
  let seed = 0;

  const release = (): void => {
    heads?.student.dispose();
    heads?.teacher.dispose();
    memory?.dispose();
    heads = undefined;
    memory = undefined;
  };

  /** both embeddings [B, dim], L2-normalised (RepDistiller's Embed + Normalize) */
  const embed = (context: StepContext): { student: tf.Tensor2D; teacher: tf.Tensor2D } => {
    requirePrepared(name, heads !== undefined);
    const h = heads as { student: Projection; teacher: Projection };
    const s = readFeature(context, 'student', resolved.studentFeature, name);
    const t = readFeature(context, 'teacher', resolved.teacherFeature, name);
    requireSameBatch(name, s, t);
    const [fs, ft] = [flattenSamples(s), flattenSamples(t)];
    if (fs.shape[1] !== dims.student || ft.shape[1] !== dims.teacher) {
      throw new ConfigError(
        `crd: features of size ${fs.shape[1]} / ${ft.shape[1]} but prepare saw ${dims.student} / ${dims.teacher}`,
        'prepare the loss with the feature shapes the models actually produce',
      );
    }
    if (context.indices.shape[0] !== fs.shape[0]) {
      throw new ConfigError(`crd: ${context.indices.shape[0]} sample indices for a batch of ${fs.shape[0]}`, 'pass the batch\'s sample indices (Batch.index) in the step context');
    }
    return {
      student: l2Normalize(h.student.apply(fs), 1) as tf.Tensor2D,
      teacher: l2Normalize(h.teacher.apply(ft), 1) as tf.Tensor2D,
    };
  };

  const loss: CrdLoss = {
    name,
    options: resolved,
    get negativesUsed() {
      return negativesUsed;
    },
    requires: { teacher: 'white-box', studentFeatures: [resolved.studentFeature], teacherFeatures: [resolved.teacherFeature], sampleIndices: true },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      if (!Number.isInteger(setup.datasetSize) || setup.datasetSize < 2) {
        throw new ConfigError(`crd: the dataset size is ${setup.datasetSize}; CRD needs at least 2 samples to draw negatives from`, 'pass the training set size in the loss setup');
      }
      release();
      dims = { student: sizeOf(setupShape(setup, 'student', resolved.studentFeature)), teacher: sizeOf(setupShape(setup, 'teacher', resolved.teacherFeature)) };
      seed = setup.seed;
      negativesUsed = Math.min(resolved.negatives, setup.datasetSize - 1);
      heads = {
        student: Projection.create(dims.student, resolved.embedDim, 'torch-linear', seed, 'crd/embed/student'),
        teacher: Projection.create(dims.teacher, resolved.embedDim, 'torch-linear', seed, 'crd/embed/teacher'),
      };
      memory = ContrastMemory.create(setup.datasetSize, resolved.embedDim, seed);
    },
    compute(context: StepContext) {
      requirePrepared(name, memory !== undefined);
      const mem = memory as ContrastMemory;
      return tf.tidy(() => {
        const contrast = sampleContrastIndices(context.indices, negativesUsed, mem.size, seed, context.progress.step);
        return loss.computeWithContrast(context, contrast);
      });
    },
    computeWithContrast(context: StepContext, contrast: tf.Tensor2D) {
      requirePrepared(name, memory !== undefined);
      const mem = memory as ContrastMemory;
      const crd = tf.tidy((): tf.Scalar => {
        const v = embed(context);
        if (contrast.rank !== 2 || contrast.shape[0] !== v.student.shape[0] || contrast.shape[1] < 2) {
          throw new ConfigError(`crd: contrast indices of shape [${contrast.shape.join(', ')}] for a batch of ${v.student.shape[0]}`, 'pass [batch, K + 1] indices, column 0 the positives');
        }
        const { studentAnchor, teacherAnchor } = mem.scores(v.student, v.teacher, contrast, resolved.temperature);
        return tf.mul(tf.add(contrastNceLoss(studentAnchor, mem.size), contrastNceLoss(teacherAnchor, mem.size)), resolved.beta);
      });
      return { crd };
    },
    afterStep(context: StepContext): void {
      if (!memory) return;
      const mem = memory;
      tf.tidy(() => {
        const v = embed(context);
        mem.update(v.student, v.teacher, context.indices, resolved.momentum);
      });
    },
    variables() {
      return heads ? { ...heads.student.variables('embedStudent'), ...heads.teacher.variables('embedTeacher') } : {};
    },
    state() {
      return memory ? memory.variables() : {};
    },
    dispose(): void {
      release();
      negativesUsed = 0;
    },
  };
  return loss;
}

export const crdDefinition: LossDefinition<CrdOptions> = {
  kind: 'loss',
  name: 'crd',
  summary: 'Contrastive representation distillation: NCE over momentum memory banks of student and teacher embeddings, K sampled negatives',
  knowledge: 'relation',
  reference: tian2020,
  defaults: CRD_DEFAULTS,
  create: (options) => crdLoss(options),
};
