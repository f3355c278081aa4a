import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  EmptyDatasetError,
  InputShapeError,
  assertClassCounts,
  assertInputShape,
  createOptimizer,
  mulberry32,
  prefixed,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
  type Batch,
  type Classifier,
  type Dataset,
  type LossTerms,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type Student,
  type Teacher,
  type Trackables,
  type TrainingProgress,
} from '@distillery/core';
import { kdLoss, type KdLoss } from '@distillery/losses';
import { deriveSeed } from '@distillery/models';
import type { SampleSource } from '../capabilities.js';
import { mixup } from '../data/mixup.js';
import { notPrepared } from './checks.js';
import { distilStep } from './distil.js';
import { meanScalar } from './mean-scalar.js';

export interface FewShotMixupOptions {
  /** any access: only its outputs (log-probabilities for a black-box teacher) are read */
  readonly teacher: Teacher;
  readonly student: Student;
  readonly optimizer: OptimizerSpec;
  /** the unlabelled real images [n, ...inputShape]; default: every image of the trainer's training set (labels ignored) */
  readonly images?: tf.Tensor;
  /** lambda ~ Beta(alpha, alpha); 1 (default) is uniform on [0, 1] */
  readonly mixupAlpha?: number;
  /**
   * 0 (default): fresh mixup images every update, each labelled by a teacher query;
   * > 0: build this many mixup images once in prepare(), query the teacher once for them, and train on
   * that fixed set (a bounded query budget, as a paid API would need)
   */
  readonly syntheticSize?: number;
  /** images per student update (default: the trainer's batch size) */
  readonly syntheticBatchSize?: number;
  /** student updates per trainer step (default 1): few-shot sets make short epochs */
  readonly iterationsPerStep?: number;
  /** KD temperature (default 4) */
  readonly temperature?: number;
}

export const FEW_SHOT_DEFAULTS = { mixupAlpha: 1, syntheticSize: 0, iterationsPerStep: 1, temperature: 4 } as const;

interface Prepared {
  readonly pool: tf.Tensor;
  readonly seed: number;
  readonly numClasses: number;
  readonly optimizer: tf.Optimizer;
  /** the fixed synthetic set and the teacher's outputs for it (syntheticSize > 0) */
  readonly synthetic?: { readonly images: tf.Tensor; readonly logits: tf.Tensor2D };
}

/** Every image of a dataset, stacked (the few-shot pool); labels are dropped. */
function stackImages(dataset: Dataset): tf.Tensor {
  const parts: tf.Tensor[] = [];
  for (const batch of dataset.batches({ batchSize: 256, shuffle: false, seed: 0, epoch: 0 })) {
    parts.push(batch.x);
    batch.y.dispose();
    batch.index.dispose();
  }
  if (parts.length === 0) return tf.zeros([0, ...dataset.inputShape]);
  const stacked = tf.concat(parts, 0);
  tf.dispose(parts);
  return stacked;
}

/**
 * Black-box few-shot distillation (after Nguyen, Gupta, Do & Venkatesh, ECCV 2022, without their conditional VAE):
 * a handful of unlabelled real images is expanded by mixup, the black-box teacher labels the mixed images
 * with its probabilities, and the student distils on them by KD. Only the teacher's outputs are used, so a
 * probabilities-only teacher (blackBoxTeacher) works. Terms: kd (mean over the step's updates) and total = kd.
 * `teacherQueries` counts the images sent to the teacher so far.
 */
export class FewShotMixup implements Scheme, SampleSource {
  readonly name = 'few-shot-mixup';
  private readonly kd: KdLoss;
  private readonly alpha: number;
  private readonly syntheticSize: number;
  private readonly iterations: number;
  private prepared: Prepared | undefined;
  private queries = 0;

  constructor(private readonly options: FewShotMixupOptions) {
    const scheme = 'few-shot-mixup';
    if (options.images && (options.images.shape[0] ?? 0) === 0) throw new EmptyDatasetError('the few-shot image set (option images)');
    this.alpha = requirePositive(scheme, 'mixupAlpha', options.mixupAlpha ?? FEW_SHOT_DEFAULTS.mixupAlpha, 'mixup uses Beta(alpha, alpha); 1 is uniform');
    this.syntheticSize = requireNonNegative(scheme, 'syntheticSize', options.syntheticSize ?? FEW_SHOT_DEFAULTS.syntheticSize, '0 for fresh mixup each step, or a query budget such as 20000');
    if (!Number.isInteger(this.syntheticSize)) throw new ConfigError(`${scheme}: syntheticSize must be an integer, got ${this.syntheticSize}`, 'a number of images');
    this.iterations = requirePositiveInteger(scheme, 'iterationsPerStep', options.iterationsPerStep ?? FEW_SHOT_DEFAULTS.iterationsPerStep, 'e.g. 1');
    if (options.syntheticBatchSize !== undefined) requirePositiveInteger(scheme, 'syntheticBatchSize', options.syntheticBatchSize, 'e.g. 64');
    this.kd = kdLoss({ temperature: requirePositive(scheme, 'temperature', options.temperature ?? FEW_SHOT_DEFAULTS.temperature, 'Hinton et al. use 1-20') });
  }

  /** images sent to the teacher so far (the black-box query budget spent) */
  get teacherQueries(): number {
    return this.queries;
  }

  prepare(context: SchemeContext, _sample: Batch): void {
    const { teacher, student } = this.options;
    assertClassCounts(context.numClasses, [teacher, student]);
    assertInputShape(teacher.inputShape, [student]);
    const pool = this.options.images ? this.options.images.clone() : stackImages(context.train);
    const size = pool.shape[0] ?? 0;
    const shape = pool.shape.slice(1);
    if (size === 0) {
      pool.dispose();
      throw new EmptyDatasetError('the few-shot image set');
    }
    if (shape.length !== teacher.inputShape.length || shape.some((d, i) => d !== teacher.inputShape[i])) {
      pool.dispose();
      throw new InputShapeError(`${this.name}: the few-shot images vs teacher "${teacher.name}"`, teacher.inputShape, shape);
    }
    this.release();
    this.queries = 0;
    const seed = context.seed;
    const synthetic = this.syntheticSize > 0 ? this.buildSynthetic(pool, seed) : undefined;
    this.prepared = { pool, seed, numClasses: context.numClasses, optimizer: createOptimizer(this.options.optimizer), ...(synthetic ? { synthetic } : {}) };
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const prepared = this.prepared;
    if (!prepared) throw notPrepared(this.name);
    const count = this.options.syntheticBatchSize ?? batch.size;
    const losses: tf.Scalar[] = [];
    try {
      for (let k = 0; k < this.iterations; k++) {
        const random = mulberry32(deriveSeed(prepared.seed, `few-shot/${progress.step}/${k}`));
        const { images, logits } = prepared.synthetic ? this.fromSynthetic(prepared.synthetic, count, random) : this.fresh(prepared.pool, count, random);
        losses.push(distilStep(prepared.optimizer, this.options.student, this.kd, images, logits, prepared.numClasses, progress));
        tf.dispose([images, logits]);
      }
      const kd = meanScalar(losses);
      return { kd, total: kd.clone() };
    } finally {
      tf.dispose(losses);
    }
  }

  /** `count` mixup images as the student trains on them (SampleSource), after prepare(); no teacher queries */
  sampleInputs(count: number): tf.Tensor {
    const prepared = this.prepared;
    if (!prepared) throw notPrepared(this.name);
    const random = mulberry32(deriveSeed(prepared.seed, 'few-shot/samples'));
    const synthetic = prepared.synthetic;
    if (!synthetic) return mixup(prepared.pool, count, random, this.alpha).images;
    const size = synthetic.images.shape[0] as number;
    return tf.tidy(() => tf.gather(synthetic.images, tf.tensor1d(Array.from({ length: count }, () => random.int(size)), 'int32')));
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  referenceModel(): Classifier | undefined {
    return this.options.teacher;
  }

  trackables(): Trackables {
    return {
      variables: prefixed('student', this.options.student.stateVariables()),
      optimizers: this.prepared ? { student: this.prepared.optimizer } : {},
    };
  }

  dispose(): void {
    this.release();
  }

  private release(): void {
    const prepared = this.prepared;
    if (!prepared) return;
    this.prepared = undefined;
    tf.dispose([prepared.pool, ...(prepared.synthetic ? [prepared.synthetic.images, prepared.synthetic.logits] : [])]);
    prepared.optimizer.dispose();
  }

  private ask(images: tf.Tensor): tf.Tensor2D {
    this.queries += images.shape[0] as number;
    return tf.tidy(() => this.options.teacher.forward(images).logits);
  }

  private fresh(pool: tf.Tensor, count: number, random: ReturnType<typeof mulberry32>): { images: tf.Tensor; logits: tf.Tensor2D } {
    const { images } = mixup(pool, count, random, this.alpha);
    return { images, logits: this.ask(images) };
  }

  private fromSynthetic(synthetic: NonNullable<Prepared['synthetic']>, count: number, random: ReturnType<typeof mulberry32>) {
    const size = synthetic.images.shape[0] as number;
    const picked = tf.tensor1d(Array.from({ length: count }, () => random.int(size)), 'int32');
    const result = { images: tf.gather(synthetic.images, picked), logits: tf.gather(synthetic.logits, picked) as tf.Tensor2D };
    picked.dispose();
    return result;
  }

  /** the fixed synthetic set: mixup from a seeded stream, labelled in chunks of 256 queries */
  private buildSynthetic(pool: tf.Tensor, seed: number): { images: tf.Tensor; logits: tf.Tensor2D } {
    const random = mulberry32(deriveSeed(seed, 'few-shot/synthetic'));
    const images: tf.Tensor[] = [];
    const logits: tf.Tensor2D[] = [];
    for (let done = 0; done < this.syntheticSize; done += 256) {
      const chunk = mixup(pool, Math.min(256, this.syntheticSize - done), random, this.alpha).images;
      images.push(chunk);
      logits.push(this.ask(chunk));
    }
    const result = { images: tf.concat(images, 0), logits: tf.concat(logits, 0) };
    tf.dispose([...images, ...logits]);
    return result;
  }
}

export function fewShotMixup(options: FewShotMixupOptions): FewShotMixup {
  return new FewShotMixup(options);
}
