import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  InputShapeError,
  createOptimizer,
  gradientStep,
  prefixed,
  requireChoice,
  requireNonNegative,
  requirePositiveInteger,
  type LossTerms,
  type ModelOutputs,
  type OptimizerSpec,
  type TeacherAccess,
} from '@distillery/core';
import { DiscriminatorInput, type DiscriminatorInputOptions } from './discriminator-input.js';
import { MLP_DISCRIMINATOR_DEFAULTS, mlpDiscriminator, type Discriminator } from './discriminator.js';
import { GAN_LOSSES, discriminatorAccuracy, discriminatorLoss, generatorLoss, type GanLoss } from './gan-losses.js';

/** The discriminator side of an adversarial scheme, as options. */
export interface AdversarialOptions {
  /** default 'non-saturating' */
  readonly ganLoss?: GanLoss;
  /** weight of the student's adversarial term in its objective; default 0.1 */
  readonly adversarialWeight?: number;
  /** what the discriminator sees (response kind, an optional feature tap, label conditioning) */
  readonly discriminatorInput?: DiscriminatorInputOptions;
  /** a discriminator you built (its inputSize must match; you dispose it); by default an MLP is built in prepare and disposed with the scheme */
  readonly discriminator?: Discriminator;
  /** hidden widths of the built MLP discriminator; default [64, 64] */
  readonly discriminatorHidden?: readonly number[];
  /** seed of the built discriminator's initial weights; default derived from the run's seed */
  readonly discriminatorSeed?: number;
  /** the discriminator's own optimiser; default Adam, learning rate 1e-3, beta1 0.5 (the usual GAN setting) */
  readonly discriminatorOptimizer?: OptimizerSpec;
  /** discriminator updates per student update (per step); default 1 */
  readonly discriminatorSteps?: number;
}

export const ADVERSARIAL_DEFAULTS = {
  ganLoss: 'non-saturating',
  adversarialWeight: 0.1,
  discriminatorHidden: MLP_DISCRIMINATOR_DEFAULTS.hidden,
  discriminatorOptimizer: { name: 'adam', learningRate: 1e-3, beta1: 0.5 },
  discriminatorSteps: 1,
} as const;

/** Offset of the built discriminator's seed from the run's seed, so it never shares the student's stream. */
const DISCRIMINATOR_SEED_OFFSET = 104_729;

export interface GameSetup {
  readonly numClasses: number;
  readonly seed: number;
  readonly teacherAccess: TeacherAccess;
  readonly teacherName: string;
  readonly studentName: string;
  readonly teacherFeatureShapes: Readonly<Record<string, readonly number[]>>;
  readonly studentFeatureShapes: Readonly<Record<string, readonly number[]>>;
}

/**
 * The discriminator, its input, its optimiser and the GAN losses: what the adversarial schemes share.
 * The discriminator only ever sees constants when it is updated (teacher and student outputs computed
 * outside its tape), and its variables are never handed to another optimiser.
 */
export class AdversarialGame {
  readonly ganLoss: GanLoss;
  readonly weight: number;
  readonly input: DiscriminatorInput;
  readonly steps: number;
  private discriminatorModel: Discriminator | undefined;
  private optimizer: tf.Optimizer | undefined;
  private owned = false;
  private numClasses = 0;

  constructor(
    private readonly scheme: string,
    private readonly options: AdversarialOptions,
  ) {
    this.ganLoss = requireChoice(scheme, 'ganLoss', options.ganLoss ?? ADVERSARIAL_DEFAULTS.ganLoss, GAN_LOSSES);
    this.weight = requireNonNegative(scheme, 'adversarialWeight', options.adversarialWeight ?? ADVERSARIAL_DEFAULTS.adversarialWeight);
    this.steps = requirePositiveInteger(scheme, 'discriminatorSteps', options.discriminatorSteps ?? ADVERSARIAL_DEFAULTS.discriminatorSteps);
    this.input = new DiscriminatorInput(scheme, options.discriminatorInput);
  }

  get ready(): boolean {
    return this.optimizer !== undefined;
  }

  /** the discriminator in use (built in prepare unless one was given) */
  get discriminator(): Discriminator {
    if (!this.discriminatorModel) throw new ConfigError(`${this.scheme}: the discriminator is built in prepare()`, 'train through the Trainer, which prepares the scheme');
    return this.discriminatorModel;
  }

  /** Validates the discriminator input against both models and builds the discriminator and its optimiser. */
  prepare(setup: GameSetup): void {
    this.input.checkTeacherAccess(this.scheme, setup.teacherAccess);
    const teacherWidth = this.input.width('teacher', `the teacher "${setup.teacherName}"`, setup.numClasses, setup.teacherFeatureShapes);
    const studentWidth = this.input.width('student', `the student "${setup.studentName}"`, setup.numClasses, setup.studentFeatureShapes);
    if (teacherWidth !== studentWidth) {
      const tap = this.input.studentFeature ? ` (student tap "${this.input.studentFeature}", teacher tap "${this.input.teacherFeature}")` : '';
      throw new ConfigError(
        `${this.scheme}: discriminator input sizes differ: the teacher side has ${teacherWidth} values per sample, the student side ${studentWidth}${tap}`,
        'the discriminator compares like with like: pick feature taps of equal size on both models, or use the response only',
      );
    }
    this.numClasses = setup.numClasses;
    this.disposeOwned();
    if (this.options.discriminator) {
      if (this.options.discriminator.inputSize !== teacherWidth) {
        throw new InputShapeError(`discriminator "${this.options.discriminator.name}"`, [this.options.discriminator.inputSize], [teacherWidth]);
      }
      this.discriminatorModel = this.options.discriminator;
      this.owned = false;
    } else {
      this.discriminatorModel = mlpDiscriminator({
        inputSize: teacherWidth,
        hidden: this.options.discriminatorHidden ?? ADVERSARIAL_DEFAULTS.discriminatorHidden,
        seed: this.options.discriminatorSeed ?? setup.seed + DISCRIMINATOR_SEED_OFFSET,
      });
      this.owned = true;
    }
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.discriminatorOptimizer ?? ADVERSARIAL_DEFAULTS.discriminatorOptimizer);
  }

  /** the discriminator input of one side ([batch, width]) */
  inputOf(side: 'student' | 'teacher', outputs: ModelOutputs, labels: tf.Tensor1D): tf.Tensor2D {
    return this.input.build(side, outputs, labels, this.numClasses);
  }

  /**
   * `steps` optimiser updates of the discriminator alone on constant inputs; returns the last update's
   * `discriminator` loss and `discriminatorAccuracy` (both measured before that update).
   */
  updateDiscriminator(real: tf.Tensor2D, fake: tf.Tensor2D): LossTerms {
    const optimizer = this.optimizer;
    if (!optimizer) throw new ConfigError(`${this.scheme}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
    const discriminator = this.discriminator;
    let last: LossTerms = {};
    for (let i = 0; i < this.steps; i++) {
      tf.dispose(last);
      last = gradientStep(optimizer, discriminator.trainableVariables(), () => {
        const dReal = discriminator.apply(real);
        const dFake = discriminator.apply(fake);
        return { total: discriminatorLoss(this.ganLoss, dReal, dFake), terms: { discriminatorAccuracy: discriminatorAccuracy(this.ganLoss, dReal, dFake) } };
      });
    }
    const { total, ...rest } = last;
    return { ...rest, discriminator: total as tf.Scalar };
  }

  /** the student's adversarial term on its discriminator input (call on the student's tape) */
  studentTerm(fakeInput: tf.Tensor2D): tf.Scalar {
    return generatorLoss(this.ganLoss, this.discriminator.apply(fakeInput));
  }

  trackables(): { variables: Record<string, tf.Variable>; optimizers: Record<string, tf.Optimizer> } {
    return {
      variables: this.discriminatorModel ? prefixed('discriminator', this.discriminatorModel.stateVariables()) : {},
      optimizers: this.optimizer ? { discriminator: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = undefined;
    this.disposeOwned();
  }

  private disposeOwned(): void {
    if (this.owned) this.discriminatorModel?.dispose();
    this.discriminatorModel = undefined;
    this.owned = false;
  }
}
