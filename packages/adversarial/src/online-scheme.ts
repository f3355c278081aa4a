import * as tf from '@tensorflow/tfjs';
import {
  ClassCountMismatchError,
  ConfigError,
  createOptimizer,
  disposeOutputs,
  gradientStep,
  prefixed,
  requireNonNegative,
  requirePositive,
  tidyOutputs,
  type Batch,
  type Classifier,
  type LossTerms,
  type ModelOutputs,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type StepContext,
  type Trackables,
  type TrainableModel,
  type TrainingProgress,
  type WeightedLoss,
} from '@distillery/core';
import { crossEntropy, kdLoss, type KdLoss } from '@distillery/losses';
import { AdversarialGame, type AdversarialOptions } from './adversarial-game.js';
import { DistillationObjective } from './objective.js';
import { preparePair } from './prepare-pair.js';

export interface OnlineAdversarialOptions extends AdversarialOptions {
  /** the larger model, trained in the same run (its outputs are the discriminator's "real" side) */
  readonly teacher: TrainableModel;
  readonly student: TrainableModel;
  /** the student's distillation losses from the teacher's current (detached) outputs */
  readonly losses?: readonly WeightedLoss[];
  /** student: (1 - alpha) CE + alpha sum w_i L_i + adversarialWeight L_G; default 0.9 with losses, 0 without */
  readonly alpha?: number;
  /** one spec, one optimiser per model (student, teacher) */
  readonly optimizer: OptimizerSpec;
  /** weight of the teacher's mimicry of the student, T^2 KL(p_S || p_T); default 1 (deep mutual learning) */
  readonly teacherMimicryWeight?: number;
  /** T of that mimicry term; default 1 */
  readonly mimicryTemperature?: number;
}

export const ONLINE_DEFAULTS = { teacherMimicryWeight: 1, mimicryTemperature: 1 } as const;

/**
 * Online adversarial distillation: teacher, student and discriminator are optimised together, each by
 * its own optimiser, in every iteration (the online setting of Chung et al. 2020, with one
 * discriminator judging the student against the teacher). Each step, in this order:
 *  1. teacher and student run in inference mode outside every tape: constants;
 *  2. D is updated on (teacher = real, student = fake), on D's variables only;
 *  3. the student is updated on its variables only:
 *       (1 - alpha) CE + alpha sum_i w_i L_i(student, teacher) + adversarialWeight x L_G(D(student));
 *  4. the teacher is updated on its variables only, against the student's fresh (post-update,
 *     detached) prediction: CE + teacherMimicryWeight x T^2 KL(p_S || p_T).
 * Terms: `student.*`, `teacher.*` (each with its `total`), `discriminator`, `discriminatorAccuracy`,
 * and `total` = student total + teacher total.
 */
export class OnlineAdversarialDistillation implements Scheme {
  readonly name = 'adversarial-online';
  readonly game: AdversarialGame;
  private readonly objective: DistillationObjective;
  private readonly ce = crossEntropy();
  private readonly mimicry: KdLoss;
  private readonly mimicryWeight: number;
  private optimizers: { student: tf.Optimizer; teacher: tf.Optimizer } | undefined;
  private numClasses = 0;

  constructor(private readonly options: OnlineAdversarialOptions) {
    const { teacher, student } = options;
    if (teacher === student) throw new ConfigError('adversarial-online: the teacher and the student are the same object', 'build a separate model for each role');
    if (teacher.numClasses !== student.numClasses) throw new ClassCountMismatchError(`adversarial-online: teacher "${teacher.name}" vs student "${student.name}"`, student.numClasses, teacher.numClasses);
    this.objective = new DistillationObjective(this.name, options.losses ?? [], options.alpha);
    this.game = new AdversarialGame(this.name, options);
    this.mimicryWeight = requireNonNegative(this.name, 'teacherMimicryWeight', options.teacherMimicryWeight ?? ONLINE_DEFAULTS.teacherMimicryWeight);
    this.mimicry = kdLoss({ temperature: requirePositive(this.name, 'mimicryTemperature', options.mimicryTemperature ?? ONLINE_DEFAULTS.mimicryTemperature) });
  }

  prepare(context: SchemeContext, sample: Batch): void {
    const { teacher, student } = this.options;
    this.numClasses = context.numClasses;
    const { studentFeatureShapes, teacherFeatureShapes } = preparePair(this.objective, context, sample, { teacher, student, teacherAccess: 'white-box' }, () =>
      teacher.forward(sample.x, { training: false }),
    );
    this.game.prepare({ numClasses: context.numClasses, seed: context.seed, teacherAccess: 'white-box', teacherName: teacher.name, studentName: student.name, teacherFeatureShapes, studentFeatureShapes });
    this.disposeOptimizers();
    this.optimizers = { student: createOptimizer(this.options.optimizer), teacher: createOptimizer(this.options.optimizer) };
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    const done: LossTerms[] = [];
    try {
      const teacherOutputs = this.teacherOutputs(batch);
      try {
        done.push(this.updateDiscriminator(batch, teacherOutputs));
        done.push(prefix('student', this.updateStudent(batch, progress, teacherOutputs)));
      } finally {
        disposeOutputs(teacherOutputs);
      }
      done.push(prefix('teacher', this.updateTeacher(batch, progress)));
      const merged: LossTerms = Object.assign({}, ...done);
      merged['total'] = tf.add(merged['student.total'] as tf.Scalar, merged['teacher.total'] as tf.Scalar) as tf.Scalar;
      return merged;
    } catch (error) {
      for (const terms of done) tf.dispose(terms);
      throw error;
    }
  }

  /** Step 2 alone (probes and tests). */
  stepDiscriminator(batch: Batch): LossTerms {
    this.assertPrepared();
    const teacherOutputs = this.teacherOutputs(batch);
    try {
      return this.updateDiscriminator(batch, teacherOutputs);
    } finally {
      disposeOutputs(teacherOutputs);
    }
  }

  /** Step 3 alone. */
  stepStudent(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    const teacherOutputs = this.teacherOutputs(batch);
    try {
      return this.updateStudent(batch, progress, teacherOutputs);
    } finally {
      disposeOutputs(teacherOutputs);
    }
  }

  /** Step 4 alone. */
  stepTeacher(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    return this.updateTeacher(batch, progress);
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student, teacher: this.options.teacher };
  }

  trackables(): Trackables {
    const game = this.game.trackables();
    return {
      variables: {
        ...prefixed('student', this.options.student.stateVariables()),
        ...prefixed('teacher', this.options.teacher.stateVariables()),
        ...this.objective.trackables(),
        ...game.variables,
      },
      optimizers: { ...(this.optimizers ? { student: this.optimizers.student, teacher: this.optimizers.teacher } : {}), ...game.optimizers },
    };
  }

  dispose(): void {
    this.disposeOptimizers();
    this.game.dispose();
    this.objective.dispose();
  }

  private teacherOutputs(batch: Batch): ModelOutputs {
    return tidyOutputs(() => this.options.teacher.forward(batch.x, { training: false }));
  }

  private updateDiscriminator(batch: Batch, teacher: ModelOutputs): LossTerms {
    const real = this.game.inputOf('teacher', teacher, batch.y);
    const fake = tf.tidy(() => this.game.inputOf('student', this.options.student.forward(batch.x, { training: false }), batch.y));
    try {
      return this.game.updateDiscriminator(real, fake);
    } finally {
      tf.dispose([real, fake]);
    }
  }

  private updateStudent(batch: Batch, progress: TrainingProgress, teacher: ModelOutputs): LossTerms {
    const { student } = this.options;
    const variables = [...student.trainableVariables(), ...this.objective.variables()];
    const terms = gradientStep((this.optimizers as { student: tf.Optimizer }).student, variables, () => {
      const outputs = student.forward(batch.x, { training: true });
      const { total, terms } = this.objective.compute(outputs, teacher, batch, progress, this.numClasses);
      const adversarial = this.game.studentTerm(this.game.inputOf('student', outputs, batch.y));
      return { total: tf.add(total, tf.mul(adversarial, this.game.weight)) as tf.Scalar, terms: { ...terms, adversarial } };
    });
    student.applyConstraints?.();
    return terms;
  }

  private updateTeacher(batch: Batch, progress: TrainingProgress): LossTerms {
    const { teacher, student } = this.options;
    // the student's prediction after its update, a constant computed outside the teacher's tape
    const target = tf.tidy(() => student.predictLogits(batch.x));
    try {
      const terms = gradientStep((this.optimizers as { teacher: tf.Optimizer }).teacher, teacher.trainableVariables(), () => {
        const outputs = teacher.forward(batch.x, { training: true });
        const context: StepContext = { student: outputs, teacher: { logits: target, features: {} }, labels: batch.y, indices: batch.index, numClasses: this.numClasses, progress };
        const ce = this.ce.compute(context)['ce'] as tf.Scalar;
        const mimicry = this.mimicry.compute(context)['kd'] as tf.Scalar;
        return { total: tf.add(ce, tf.mul(mimicry, this.mimicryWeight)) as tf.Scalar, terms: { ce, mimicry } };
      });
      teacher.applyConstraints?.();
      return terms;
    } finally {
      target.dispose();
    }
  }

  private assertPrepared(): void {
    if (!this.optimizers || !this.game.ready) throw new ConfigError(`${this.name}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
  }

  private disposeOptimizers(): void {
    this.optimizers?.student.dispose();
    this.optimizers?.teacher.dispose();
    this.optimizers = undefined;
  }
}

function prefix(key: string, terms: LossTerms): LossTerms {
  return Object.fromEntries(Object.entries(terms).map(([name, value]) => [`${key}.${name}`, value]));
}

export function onlineAdversarialDistillation(options: OnlineAdversarialOptions): OnlineAdversarialDistillation {
  return new OnlineAdversarialDistillation(options);
}
