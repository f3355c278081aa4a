import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  assertClassCounts,
  assertInputShape,
  createOptimizer,
  featureShapes,
  gradientStep,
  prefixed,
  type Batch,
  type Classifier,
  type LossTerms,
  type Scheme,
  type SchemeContext,
  type Teacher,
  type Trackables,
  type TrainingProgress,
} from '@distillery/core';
import { crossEntropy } from '@distillery/losses';
import { FeatureKnowledge } from './feature-term.js';
import type { MultiTeacherOptions } from './options.js';
import { randomTeacherIndex } from './random-teacher.js';
import { responseTerm } from './response-term.js';
import { TeacherBank } from './teacher-bank.js';
import { teacherEnsemble } from './teacher-ensemble.js';
import { resolveOptions, type ResolvedOptions } from './validate.js';

/**
 * Several frozen teachers teach one student. The objective is
 *   (1 - alpha) * CE(labels) + alpha * KD_agg(teachers -> student) + beta * feature(feature teachers -> student)
 * where KD_agg is one of the aggregations in `Aggregation` and the optional feature term regresses the
 * student's features onto one or more white-box teachers' (CA-MKD's intermediate part, or "mixed
 * knowledge": one teacher's responses and another's features). Teachers run outside the gradient tape
 * and are never optimised.
 */
export class MultiTeacherDistillation implements Scheme {
  readonly name = 'multi-teacher';
  private readonly config: ResolvedOptions;
  private readonly hardLabelLoss = crossEntropy();
  private readonly features: FeatureKnowledge | undefined;
  private readonly bank: TeacherBank;
  private optimizer: tf.Optimizer | undefined;
  private numClasses = 0;
  private seed = 0;

  constructor(private readonly options: MultiTeacherOptions) {
    this.config = resolveOptions(options);
    this.features = this.config.features ? new FeatureKnowledge(this.config.features, options.teachers) : undefined;
    this.bank = new TeacherBank(options.teachers);
  }

  async prepare(context: SchemeContext, sample: Batch): Promise<void> {
    const { teachers, student } = this.options;
    const used = this.usedTeachers();
    const models: Classifier[] = [...used.map((i) => teachers[i] as Teacher), student];
    assertClassCounts(context.numClasses, models);
    assertInputShape(context.inputShape, models);
    this.numClasses = context.numClasses;
    this.seed = this.options.seed ?? context.seed;
    if (this.features) {
      const teacherShapes = new Map(this.features.teacherIndices().map((i) => [i, featureShapes(() => (teachers[i] as Teacher).forward(sample.x))] as const));
      this.features.prepare({
        numClasses: context.numClasses,
        datasetSize: context.datasetSize,
        seed: this.seed,
        studentShapes: featureShapes(() => student.forward(sample.x, { training: false })),
        teacherShapes,
      });
    }
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
    if (this.config.cacheTeacherOutputs) {
      const featureTeachers = new Set(this.features?.teacherIndices() ?? []);
      await this.bank.cache(this.config.responseTeachers.filter((i) => !featureTeachers.has(i)), context.train);
    }
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const optimizer = this.optimizer;
    if (!optimizer) throw new ConfigError('step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const { aggregation, alpha, beta, temperature, weights } = this.config;
    const responders = this.respondersAt(progress.step);
    const outputs = this.bank.outputs(batch, [...new Set([...responders, ...(this.features?.teacherIndices() ?? [])])]);
    const student = this.options.student;
    const variables = [...student.trainableVariables(), ...Object.values(this.features?.variables() ?? {})];
    try {
      const terms = gradientStep(optimizer, variables, () => {
        const studentOutputs = student.forward(batch.x, { training: true });
        const base = { labels: batch.y, indices: batch.index, numClasses: this.numClasses, progress };
        const { ce } = this.hardLabelLoss.compute({ ...base, student: studentOutputs }) as { ce: tf.Scalar };
        const kd = responseTerm({
          aggregation,
          teacherLogits: responders.map((i) => outputs.get(i)?.logits as tf.Tensor2D),
          studentLogits: studentOutputs.logits,
          labels: batch.y,
          temperature,
          ...(weights ? { weights } : {}),
        });
        const terms: LossTerms = { ce, kd };
        let total = tf.add(tf.mul(ce, 1 - alpha), tf.mul(kd, alpha)) as tf.Scalar;
        if (this.features) {
          const feature = this.features.compute({ student: studentOutputs, teachers: outputs, base });
          terms['feature'] = feature;
          total = tf.add(total, tf.mul(feature, beta)) as tf.Scalar;
        }
        return { total, terms };
      });
      student.applyConstraints?.();
      return terms;
    } finally {
      TeacherBank.disposeAll(outputs);
    }
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  /** agreement is measured against the response teachers' ensemble, pooled the way the aggregation pools them */
  referenceModel(): Classifier {
    const responders = this.config.responseTeachers.map((i) => this.options.teachers[i] as Teacher);
    return teacherEnsemble(responders, this.config.aggregation === 'mean-logits' ? 'geometric' : 'arithmetic', this.config.weights);
  }

  trackables(): Trackables {
    return {
      variables: { ...prefixed('student', this.options.student.stateVariables()), ...(this.features?.variables() ?? {}) },
      optimizers: this.optimizer ? { student: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.bank.dispose();
    this.optimizer?.dispose();
    this.optimizer = undefined;
    this.features?.dispose();
  }

  /** teacher indices giving responses at this step: all response teachers, or the one drawn for 'random' */
  private respondersAt(step: number): readonly number[] {
    const { aggregation, responseTeachers } = this.config;
    if (aggregation !== 'random') return responseTeachers;
    return [responseTeachers[randomTeacherIndex(this.seed, step, responseTeachers.length)] as number];
  }

  private usedTeachers(): number[] {
    return [...new Set([...this.config.responseTeachers, ...(this.features?.teacherIndices() ?? [])])];
  }
}

export function multiTeacherDistillation(options: MultiTeacherOptions): MultiTeacherDistillation {
  return new MultiTeacherDistillation(options);
}
