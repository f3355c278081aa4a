import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  createOptimizer,
  disposeOutputs,
  gradientStep,
  prefixed,
  tidyOutputs,
  type Batch,
  type Classifier,
  type LossTerms,
  type ModelOutputs,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type Student,
  type Teacher,
  type Trackables,
  type TrainingProgress,
  type WeightedLoss,
} from '@distillery/core';
import { AdversarialGame, type AdversarialOptions } from './adversarial-game.js';
import { DistillationObjective } from './objective.js';
import { preparePair } from './prepare-pair.js';
import { TeacherLogitCache } from './teacher-cache.js';

export interface AdversarialDistillationOptions extends AdversarialOptions {
  /** frozen and pre-trained; never optimised */
  readonly teacher: Teacher;
  readonly student: Student;
  /** distillation losses with weights (e.g. kd by name from the registry); may be empty (adversarial only) */
  readonly losses?: readonly WeightedLoss[];
  /** (1 - alpha) CE + alpha sum w_i L_i; default 0.9 with losses, 0 without */
  readonly alpha?: number;
  /** the student's optimiser */
  readonly optimizer: OptimizerSpec;
  /**
   * reuse the teacher's logits by sample index on un-augmented batches (computed once in prepare);
   * used only when neither a loss nor the discriminator reads teacher features. Default true.
   */
  readonly cacheTeacherOutputs?: boolean;
}

/**
 * Adversarial knowledge distillation: a discriminator D learns to tell the frozen teacher's outputs
 * (real) from the student's (fake), and the student learns to fool it alongside the usual KD objective
 * (Wang et al. 2018 over features; Xu et al. 2017 over logits, optionally label-conditioned).
 *
 * Each step, in this order:
 *  1. the teacher runs outside every tape (or its cached logits are looked up): constants;
 *  2. D is updated `discriminatorSteps` times by its own optimiser on its own variables, against the
 *     teacher's outputs and the student's inference-mode outputs (constants, computed outside D's tape);
 *  3. the student is updated by its own optimiser on its own (and its losses') variables, minimising
 *       (1 - alpha) CE + alpha sum_i w_i L_i + adversarialWeight x L_G(D(student))
 *     against the D just updated; D's variables are not on this update's list, so they stay fixed.
 * The terms are the student's (`ce`, the losses', `adversarial`, `total` = its objective) and D's
 * (`discriminator`, `discriminatorAccuracy`).
 */
export class AdversarialDistillation implements Scheme {
  readonly name = 'adversarial-kd';
  readonly game: AdversarialGame;
  private readonly objective: DistillationObjective;
  private optimizer: tf.Optimizer | undefined;
  private cache: TeacherLogitCache | undefined;
  private numClasses = 0;

  constructor(private readonly options: AdversarialDistillationOptions) {
    if ((options.teacher as unknown) === (options.student as unknown)) {
      throw new ConfigError('adversarial-kd: the teacher and the student are the same object', 'distil into a separate model');
    }
    this.objective = new DistillationObjective(this.name, options.losses ?? [], options.alpha);
    this.game = new AdversarialGame(this.name, options);
  }

  async prepare(context: SchemeContext, sample: Batch): Promise<void> {
    const { teacher, student } = this.options;
    this.numClasses = context.numClasses;
    const { studentFeatureShapes, teacherFeatureShapes } = preparePair(this.objective, context, sample, { teacher, student, teacherAccess: teacher.access }, () => teacher.forward(sample.x));
    this.game.prepare({
      numClasses: context.numClasses,
      seed: context.seed,
      teacherAccess: teacher.access,
      teacherName: teacher.name,
      studentName: student.name,
      teacherFeatureShapes,
      studentFeatureShapes,
    });
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
    this.cache?.dispose();
    this.cache = undefined;
    if ((this.options.cacheTeacherOutputs ?? true) && !this.objective.needsTeacherFeatures && !this.game.input.usesFeatures) {
      this.cache = await TeacherLogitCache.build(teacher, context.train);
    }
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    return this.withTeacher(batch, (teacher) => {
      const discriminator = this.updateDiscriminator(batch, teacher);
      try {
        return { ...this.updateStudent(batch, progress, teacher), ...discriminator };
      } catch (error) {
        tf.dispose(discriminator);
        throw error;
      }
    });
  }

  /** Step 2 alone (for probes and tests): D's update, nothing else changes. */
  stepDiscriminator(batch: Batch): LossTerms {
    this.assertPrepared();
    return this.withTeacher(batch, (teacher) => this.updateDiscriminator(batch, teacher));
  }

  /** Step 3 alone (for probes and tests): the student's update against the current D. */
  stepStudent(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    return this.withTeacher(batch, (teacher) => this.updateStudent(batch, progress, teacher));
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  referenceModel(): Classifier {
    return this.options.teacher;
  }

  trackables(): Trackables {
    const game = this.game.trackables();
    return {
      variables: { ...prefixed('student', this.options.student.stateVariables()), ...this.objective.trackables(), ...game.variables },
      optimizers: { ...(this.optimizer ? { student: this.optimizer } : {}), ...game.optimizers },
    };
  }

  dispose(): void {
    this.cache?.dispose();
    this.cache = undefined;
    this.optimizer?.dispose();
    this.optimizer = undefined;
    this.game.dispose();
    this.objective.dispose();
  }

  private updateDiscriminator(batch: Batch, teacher: ModelOutputs): LossTerms {
    const { student } = this.options;
    const real = this.game.inputOf('teacher', teacher, batch.y);
    const fake = tf.tidy(() => this.game.inputOf('student', student.forward(batch.x, { training: false }), batch.y));
    try {
      return this.game.updateDiscriminator(real, fake);
    } finally {
      tf.dispose([real, fake]);
    }
  }

  private updateStudent(batch: Batch, progress: TrainingProgress, teacher: ModelOutputs): LossTerms {
    const { student } = this.options;
    const optimizer = this.optimizer as tf.Optimizer;
    const variables = [...student.trainableVariables(), ...this.objective.variables()];
    const terms = gradientStep(optimizer, variables, () => {
      const outputs = student.forward(batch.x, { training: true });
      const { total, terms } = this.objective.compute(outputs, teacher, batch, progress, this.numClasses);
      const adversarial = this.game.studentTerm(this.game.inputOf('student', outputs, batch.y));
      return { total: tf.add(total, tf.mul(adversarial, this.game.weight)) as tf.Scalar, terms: { ...terms, adversarial } };
    });
    student.applyConstraints?.();
    return terms;
  }

  /** teacher outputs as constants for one step (cached logits on un-augmented batches), released afterwards */
  private withTeacher<T>(batch: Batch, body: (teacher: ModelOutputs) => T): T {
    const outputs: ModelOutputs = this.cache && !batch.augmented ? { logits: this.cache.lookup(batch.index), features: {} } : tidyOutputs(() => this.options.teacher.forward(batch.x));
    try {
      return body(outputs);
    } finally {
      disposeOutputs(outputs);
    }
  }

  private assertPrepared(): void {
    if (!this.optimizer || !this.game.ready) throw new ConfigError(`${this.name}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
  }
}

export function adversarialDistillation(options: AdversarialDistillationOptions): AdversarialDistillation {
  return new AdversarialDistillation(options);
}
