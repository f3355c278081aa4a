import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  assertClassCounts,
  assertInputShape,
  assertLossWeights,
  assertUnitInterval,
  createOptimizer,
  disposeOutputs,
  tidyOutputs,
  featureShapes,
  gradientStep,
  lossState,
  lossVariables,
  prefixed,
  type Batch,
  type Classifier,
  type KnowledgeLoss,
  type LossTerms,
  type ModelOutputs,
  type Scheme,
  type SchemeContext,
  type StepContext,
  type Trackables,
  type TrainingProgress,
  type WeightedLoss,
} from '@distillery/core';
import { checkLossRequirements, crossEntropy } from '@distillery/losses';
import type { OfflineDistillationOptions } from './options.js';
import { TeacherLogitCache } from './teacher-cache.js';

/**
 * Offline distillation: a frozen, pre-trained teacher teaches a student.
 * Per step the teacher runs first, outside the gradient tape (or its cached logits are looked up);
 * then the student's objective (1 - alpha) * CE + alpha * sum(w_i * L_i) is minimised.
 */
export class OfflineDistillation implements Scheme {
  readonly name = 'offline';
  private readonly losses: readonly WeightedLoss[];
  private readonly alpha: number;
  private readonly hardLabelLoss: KnowledgeLoss = crossEntropy();
  private optimizer: tf.Optimizer | undefined;
  private cache: TeacherLogitCache | undefined;
  private numClasses = 0;

  constructor(private readonly options: OfflineDistillationOptions) {
    this.losses = options.losses ?? [];
    this.alpha = options.alpha ?? (this.losses.length > 0 ? 0.9 : 0);
    assertUnitInterval('alpha', this.alpha);
    assertLossWeights(this.losses);
    if (this.losses.length === 0 && this.alpha > 0) {
      throw new ConfigError(`alpha is ${this.alpha} but no distillation loss was given`, 'pass losses (e.g. kdLoss()) or set alpha to 0');
    }
  }

  async prepare(context: SchemeContext, sample: Batch): Promise<void> {
    const { teacher, student } = this.options;
    this.numClasses = context.numClasses;
    const models: Classifier[] = teacher ? [teacher, student] : [student];
    assertClassCounts(context.numClasses, models);
    assertInputShape(context.inputShape, models);
    const needsTeacherFeatures = this.losses.some(({ loss }) => (loss.requires.teacherFeatures?.length ?? 0) > 0);
    for (const { loss } of this.losses) {
      if (loss.requires.teacher !== 'none' && !teacher) {
        throw new ConfigError(`loss "${loss.name}" learns from a teacher but none was given`, 'pass a teacher, or use only label losses');
      }
    }
    const setup = {
      numClasses: context.numClasses,
      datasetSize: context.datasetSize,
      teacherAccess: teacher?.access,
      studentFeatureShapes: featureShapes(() => student.forward(sample.x, { training: false })),
      teacherFeatureShapes: teacher ? featureShapes(() => teacher.forward(sample.x)) : {},
      seed: context.seed,
    };
    for (const { loss } of this.losses) {
      checkLossRequirements(loss, setup);
      loss.prepare?.(setup);
    }
    this.optimizer = createOptimizer(this.options.optimizer);
    if (teacher && (this.options.cacheTeacherOutputs ?? true) && !needsTeacherFeatures) {
      this.cache = await TeacherLogitCache.build(teacher, context.train);
    }
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    if (!this.optimizer) throw new ConfigError('step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const teacherOutputs = this.teacherOutputs(batch);
    const variables = [...this.options.student.trainableVariables(), ...Object.values(lossVariables(this.losses))];
    try {
      const terms = gradientStep(this.optimizer, variables, () => {
        const context: StepContext = {
          student: this.options.student.forward(batch.x, { training: true }),
          ...(teacherOutputs ? { teacher: teacherOutputs } : {}),
          labels: batch.y,
          indices: batch.index,
          numClasses: this.numClasses,
          progress,
        };
        const terms: LossTerms = { ...this.hardLabelLoss.compute(context) };
        let total = terms['ce']!.mul(1 - this.alpha) as tf.Scalar;
        for (const { loss, weight } of this.losses) {
          for (const [termName, value] of Object.entries(loss.compute(context))) {
            terms[termName in terms ? `${loss.name}.${termName}` : termName] = value;
            total = total.add(value.mul(this.alpha * weight)) as tf.Scalar;
          }
          loss.afterStep?.(context);
        }
        return { total, terms };
      });
      this.options.student.applyConstraints?.();
      return terms;
    } finally {
      if (teacherOutputs) disposeOutputs(teacherOutputs);
    }
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  referenceModel(): Classifier | undefined {
    return this.options.teacher;
  }

  trackables(): Trackables {
    return {
      variables: { ...prefixed('student', this.options.student.stateVariables()), ...lossVariables(this.losses), ...lossState(this.losses) },
      optimizers: this.optimizer ? { student: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.cache?.dispose();
    this.cache = undefined;
    this.optimizer?.dispose();
    this.optimizer = undefined;
    for (const { loss } of this.losses) loss.dispose?.();
  }

  /** teacher outputs as constants, computed before (outside) the student's gradient tape */
  private teacherOutputs(batch: Batch): ModelOutputs | undefined {
    const { teacher } = this.options;
    if (!teacher) return undefined;
    if (this.cache && !batch.augmented) return { logits: this.cache.lookup(batch.index), features: {} };
    return tidyOutputs(() => teacher.forward(batch.x));
  }
}

export function offlineDistillation(options: OfflineDistillationOptions): OfflineDistillation {
  return new OfflineDistillation(options);
}
