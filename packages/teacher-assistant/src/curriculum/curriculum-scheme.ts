import * as tf from '@tensorflow/tfjs';
import {
  ClassCountMismatchError,
  ConfigError,
  assertClassCounts,
  assertInputShape,
  assertUnitInterval,
  createOptimizer,
  gradientStep,
  prefixed,
  requireChoice,
  requirePositive,
  type Batch,
  type Classifier,
  type LossTerms,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type Student,
  type Teacher,
  type Trackables,
  type TrainingProgress,
} from '@distillery/core';
import { crossEntropy } from '@distillery/losses';
import { TeacherLogitCache } from '@distillery/offline';
import { DIFFICULTY_MEASURES, curriculumShift, sampleDifficulty, selectExperts, type DifficultyMeasure } from './difficulty.js';

export interface CurriculumExpertsOptions {
  /** the teacher ladder, smallest first (e.g. [assistant-small, assistant-large, teacher]); white- or black-box */
  readonly teachers: readonly Teacher[];
  readonly student: Student;
  readonly optimizer: OptimizerSpec;
  /** default 'loss' */
  readonly difficulty?: DifficultyMeasure;
  /** share of training after which every sample learns from the largest teacher, in (0, 1]; default 1 */
  readonly rampUntil?: number;
  /** default 4 */
  readonly temperature?: number;
  /** (1 - alpha) * CE + alpha * KD; default 0.9 */
  readonly alpha?: number;
  /** reuse every teacher's logits by sample index on un-augmented batches; default true */
  readonly cacheTeacherOutputs?: boolean;
}

/**
 * Curriculum expert selection, after CES-KD (Amara et al., ICPR 2022): each sample learns from one
 * teacher of a ladder of capacities, chosen by how hard the sample is (easy -> small teacher, hard ->
 * large teacher), and the choice moves towards the largest teacher as training proceeds. The exact
 * rule here is `selectExperts` (equal difficulty bands shifted by progress.fraction / rampUntil); the
 * paper's own scoring and pacing functions may differ. Per-sample KD: T^2 KL(p_sel(x) || p_s), batch mean.
 */
export class CurriculumExperts implements Scheme {
  readonly name = 'curriculum-experts';
  private readonly hardLabelLoss = crossEntropy();
  private readonly measure: DifficultyMeasure;
  private readonly rampUntil: number;
  private readonly temperature: number;
  private readonly alpha: number;
  private caches: TeacherLogitCache[] = [];
  private optimizer: tf.Optimizer | undefined;
  private numClasses = 0;

  constructor(private readonly options: CurriculumExpertsOptions) {
    const first = options.teachers[0];
    if (!first) throw new ConfigError('curriculum expert selection needs a ladder of teachers, got none', 'pass teachers: [small, ..., large]');
    for (const teacher of options.teachers) {
      if (teacher.numClasses !== first.numClasses) throw new ClassCountMismatchError(`teacher "${teacher.name}" vs teacher "${first.name}"`, first.numClasses, teacher.numClasses);
    }
    this.measure = requireChoice(this.name, 'difficulty', options.difficulty ?? 'loss', DIFFICULTY_MEASURES);
    this.rampUntil = options.rampUntil ?? 1;
    if (!(this.rampUntil > 0 && this.rampUntil <= 1)) throw new ConfigError(`rampUntil must lie in (0, 1], got ${this.rampUntil}`, 'it is the share of training after which only the largest teacher teaches');
    this.temperature = requirePositive(this.name, 'temperature', options.temperature ?? 4, 'use e.g. 4');
    this.alpha = options.alpha ?? 0.9;
    assertUnitInterval('alpha', this.alpha);
  }

  async prepare(context: SchemeContext, _sample: Batch): Promise<void> {
    const models: Classifier[] = [...this.options.teachers, this.options.student];
    assertClassCounts(context.numClasses, models);
    assertInputShape(context.inputShape, models);
    this.numClasses = context.numClasses;
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
    this.disposeCaches();
    if (this.options.cacheTeacherOutputs ?? true) {
      for (const teacher of this.options.teachers) this.caches.push(await TeacherLogitCache.build(teacher, context.train));
    }
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const optimizer = this.optimizer;
    if (!optimizer) throw new ConfigError('step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const ladder = this.teacherLogits(batch);
    const { temperature, alpha } = this;
    const levels = ladder.length;
    // The selected teacher's tempered log-probabilities per sample: a constant target, built before the tape.
    const target = tf.tidy(() => {
      const chosen = selectExperts(sampleDifficulty(this.measure, ladder, batch.y), curriculumShift(progress.fraction, this.rampUntil), levels);
      const mask = tf.cast(tf.oneHot(chosen, levels), 'float32');
      const logPs = tf.stack(ladder.map((z) => tf.logSoftmax(tf.div(z, temperature))), 1);
      return tf.sum(tf.mul(logPs, tf.expandDims(mask, 2)), 1) as tf.Tensor2D;
    });
    tf.dispose(ladder);
    const student = this.options.student;
    try {
      const terms = gradientStep(optimizer, student.trainableVariables(), () => {
        const outputs = student.forward(batch.x, { training: true });
        const { ce } = this.hardLabelLoss.compute({ student: outputs, labels: batch.y, indices: batch.index, numClasses: this.numClasses, progress }) as { ce: tf.Scalar };
        const logS = tf.logSoftmax(tf.div(outputs.logits, temperature));
        const kd = tf.mul(tf.mean(tf.sum(tf.mul(tf.exp(target), tf.sub(target, logS)), 1)), temperature * temperature) as tf.Scalar;
        return { total: tf.add(tf.mul(ce, 1 - alpha), tf.mul(kd, alpha)) as tf.Scalar, terms: { ce, kd } };
      });
      student.applyConstraints?.();
      return terms;
    } finally {
      target.dispose();
    }
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  /** the largest teacher */
  referenceModel(): Classifier | undefined {
    return this.options.teachers[this.options.teachers.length - 1];
  }

  trackables(): Trackables {
    return {
      variables: prefixed('student', this.options.student.stateVariables()),
      optimizers: this.optimizer ? { student: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.disposeCaches();
    this.optimizer?.dispose();
    this.optimizer = undefined;
  }

  private teacherLogits(batch: Batch): tf.Tensor2D[] {
    return this.options.teachers.map((teacher, i) => {
      const cache = this.caches[i];
      if (cache && !batch.augmented) return cache.lookup(batch.index);
      return tf.tidy(() => teacher.predictLogits(batch.x));
    });
  }

  private disposeCaches(): void {
    for (const cache of this.caches) cache.dispose();
    this.caches = [];
  }
}

export function curriculumExperts(options: CurriculumExpertsOptions): CurriculumExperts {
  return new CurriculumExperts(options);
}
