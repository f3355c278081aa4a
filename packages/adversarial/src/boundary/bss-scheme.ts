import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  createOptimizer,
  disposeOutputs,
  gradientStep,
  mulberry32,
  prefixed,
  requireChoice,
  requireFraction,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
  requireRange,
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
import { WhiteBoxTeacherRequiredError } from '../errors.js';
import { DistillationObjective } from '../objective.js';
import { preparePair } from '../prepare-pair.js';
import { BOUNDARY_ATTACK_DEFAULTS, BOUNDARY_STEP_RULES, generateBoundarySamples, type BoundaryStepRule } from './generate.js';
import { maskedKd } from './masked-kd.js';
import { TARGET_CLASS_RULES, chooseTargetClasses, selectBaseSamples, type TargetClassRule } from './selection.js';

export interface BoundarySupportingOptions {
  /** frozen, pre-trained and white-box (the attack needs its input gradients) */
  readonly teacher: Teacher;
  readonly student: Student;
  /** distillation losses on the clean batch (e.g. kd by name from the registry) */
  readonly losses?: readonly WeightedLoss[];
  /** (1 - alpha) CE + alpha sum w_i L_i on the clean batch; default 0.9 with losses, 0 without */
  readonly alpha?: number;
  readonly optimizer: OptimizerSpec;
  /** initial weight of the KD term on boundary samples; default 2 (the official code) */
  readonly boundaryWeight?: number;
  /**
   * fraction of training at which the boundary weight has decayed linearly to 0; default 0.75
   * (the official code: 2 (1 - 4/3 epoch / epochs)); 0 keeps the weight constant
   */
  readonly boundaryDecayEnd?: number;
  /** T of the KD on boundary samples; default 3 (the official code) */
  readonly boundaryTemperature?: number;
  /** base samples attacked per batch (ranked by the distillation score); default 64 (the official code) */
  readonly boundarySamples?: number;
  /** default 'sampled' */
  readonly targetClass?: TargetClassRule;
  /** default 10 */
  readonly attackSteps?: number;
  /** default 0.3 */
  readonly attackStepSize?: number;
  /** default 'linear' (see BoundaryStepRule; 'code' is the official code's step) */
  readonly stepRule?: BoundaryStepRule;
  /** the data's value range; boundary samples are clamped to it. Default [0, 1] (the image loaders' range) */
  readonly inputRange?: readonly number[];
  /** default true; false leaves boundary samples unclamped */
  readonly clampInputs?: boolean;
}

export const BSS_DEFAULTS = {
  boundaryWeight: 2,
  boundaryDecayEnd: 0.75,
  boundaryTemperature: 3,
  boundarySamples: 64,
  targetClass: 'sampled',
  attackSteps: BOUNDARY_ATTACK_DEFAULTS.steps,
  attackStepSize: BOUNDARY_ATTACK_DEFAULTS.stepSize,
  stepRule: BOUNDARY_ATTACK_DEFAULTS.stepRule,
  inputRange: [0, 1],
  clampInputs: true,
} as const;

/** Salt of the target-class draws in core's mulberry32 stream ("bss" in ASCII). */
const TARGET_SALT = 0x627373;

interface BoundaryBatch {
  readonly samples: tf.Tensor;
  readonly teacherLogits: tf.Tensor2D;
  readonly weights: tf.Tensor1D;
}

/**
 * Knowledge distillation with boundary-supporting samples (Heo et al., AAAI 2019). Each step:
 *  1. the frozen teacher runs on the batch outside every tape;
 *  2. up to `boundarySamples` base samples are chosen among those the teacher classifies correctly
 *     (ranked by how far the student is from the teacher off the label), each gets a target class
 *     other than the teacher's top-1, and `attackSteps` gradient steps on the input move it toward the
 *     teacher's boundary between the two classes (clamped to `inputRange`); the teacher labels the
 *     result, again outside every tape;
 *  3. the student takes one optimiser step on
 *       (1 - alpha) CE + alpha sum_i w_i L_i (clean batch) + w(f) x KD_T(teacher || student) (boundary samples)
 *     with w(f) = boundaryWeight x max(0, 1 - f / boundaryDecayEnd) at the fraction f of training.
 * Step 2 is skipped once w(f) is 0. Terms: `ce`, the losses', `boundary` (the masked KD), `total`.
 */
export class BoundarySupportingDistillation implements Scheme {
  readonly name = 'bss';
  private readonly objective: DistillationObjective;
  private readonly settings: {
    readonly weight: number;
    readonly decayEnd: number;
    readonly temperature: number;
    readonly samples: number;
    readonly targetClass: TargetClassRule;
    readonly steps: number;
    readonly stepSize: number;
    readonly stepRule: BoundaryStepRule;
    readonly range: readonly [number, number];
    readonly clamp: boolean;
  };
  private optimizer: tf.Optimizer | undefined;
  private numClasses = 0;
  private seed = 0;

  constructor(private readonly options: BoundarySupportingOptions) {
    const s = 'bss';
    const d = BSS_DEFAULTS;
    if ((options.teacher as unknown) === (options.student as unknown)) throw new ConfigError('bss: the teacher and the student are the same object', 'distil into a separate model');
    this.objective = new DistillationObjective(s, options.losses ?? [], options.alpha);
    this.settings = {
      weight: requireNonNegative(s, 'boundaryWeight', options.boundaryWeight ?? d.boundaryWeight),
      decayEnd: requireFraction(s, 'boundaryDecayEnd', options.boundaryDecayEnd ?? d.boundaryDecayEnd),
      temperature: requirePositive(s, 'boundaryTemperature', options.boundaryTemperature ?? d.boundaryTemperature),
      samples: requirePositiveInteger(s, 'boundarySamples', options.boundarySamples ?? d.boundarySamples),
      targetClass: requireChoice(s, 'targetClass', options.targetClass ?? d.targetClass, TARGET_CLASS_RULES),
      steps: requirePositiveInteger(s, 'attackSteps', options.attackSteps ?? d.attackSteps),
      stepSize: requirePositive(s, 'attackStepSize', options.attackStepSize ?? d.attackStepSize),
      stepRule: requireChoice(s, 'stepRule', options.stepRule ?? d.stepRule, BOUNDARY_STEP_RULES),
      range: requireRange(s, 'inputRange', options.inputRange ?? d.inputRange, 'e.g. [0, 1] for images scaled to unit range'),
      clamp: options.clampInputs ?? d.clampInputs,
    };
  }

  prepare(context: SchemeContext, sample: Batch): void {
    const { teacher, student } = this.options;
    if (teacher.access === 'black-box') {
      throw new WhiteBoxTeacherRequiredError('bss (boundary-supporting samples)', 'gradients of its logits w.r.t. the input', 'wrap a model you can run (asTeacher(model)), or use the offline scheme with plain KD');
    }
    preparePair(this.objective, context, sample, { teacher, student, teacherAccess: teacher.access }, () => teacher.forward(sample.x));
    if (this.settings.clamp) this.checkRange(sample.x);
    this.numClasses = context.numClasses;
    this.seed = context.seed;
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
  }

  /** w(f): the weight of the boundary term at the fraction f of training */
  boundaryWeightAt(fraction: number): number {
    const { weight, decayEnd } = this.settings;
    return decayEnd === 0 ? weight : weight * Math.max(0, 1 - fraction / decayEnd);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const optimizer = this.optimizer;
    if (!optimizer) throw new ConfigError('bss: step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const { student, teacher } = this.options;
    const teacherOutputs = tidyOutputs(() => teacher.forward(batch.x));
    const weight = this.boundaryWeightAt(progress.fraction);
    let boundary: BoundaryBatch | undefined;
    try {
      if (weight > 0) boundary = this.boundaryBatch(batch, teacherOutputs, progress);
      const variables = [...student.trainableVariables(), ...this.objective.variables()];
      const terms = gradientStep(optimizer, variables, () => {
        const outputs = student.forward(batch.x, { training: true });
        const { total, terms } = this.objective.compute(outputs, teacherOutputs, batch, progress, this.numClasses);
        if (!boundary) return { total, terms: { ...terms, boundary: tf.scalar(0) } };
        const onSamples = student.forward(boundary.samples, { training: true }).logits;
        const kd = maskedKd(onSamples, boundary.teacherLogits, boundary.weights, this.settings.temperature);
        return { total: tf.add(total, tf.mul(kd, weight)) as tf.Scalar, terms: { ...terms, boundary: kd } };
      });
      student.applyConstraints?.();
      return terms;
    } finally {
      disposeOutputs(teacherOutputs);
      if (boundary) tf.dispose([boundary.samples, boundary.teacherLogits, boundary.weights]);
    }
  }

  /**
   * Step 2 alone, for inspection: the boundary samples this step would train on (samples, the teacher's
   * logits on them, validity weights). The caller disposes the three tensors.
   */
  boundaryBatchFor(batch: Batch, progress: TrainingProgress): BoundaryBatch {
    if (!this.optimizer) throw new ConfigError('bss: boundaryBatchFor() was called before prepare()', 'prepare the scheme first');
    const teacherOutputs = tidyOutputs(() => this.options.teacher.forward(batch.x));
    try {
      return this.boundaryBatch(batch, teacherOutputs, progress);
    } finally {
      disposeOutputs(teacherOutputs);
    }
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  referenceModel(): Classifier {
    return this.options.teacher;
  }

  trackables(): Trackables {
    return {
      variables: { ...prefixed('student', this.options.student.stateVariables()), ...this.objective.trackables() },
      optimizers: this.optimizer ? { student: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = undefined;
    this.objective.dispose();
  }

  private boundaryBatch(batch: Batch, teacher: ModelOutputs, progress: TrainingProgress): BoundaryBatch {
    const { samples: wanted, targetClass, steps, stepSize, stepRule, range, clamp } = this.settings;
    const count = Math.min(wanted, batch.size);
    // the distillation score ranks base samples only when there are more than `count` of them
    const studentLogits = count < batch.size ? tf.tidy(() => this.options.student.predictLogits(batch.x)) : undefined;
    const { indices, weights } = selectBaseSamples(teacher.logits, batch.y, studentLogits, count);
    studentLogits?.dispose();
    try {
      const base = tf.gather(batch.x, indices);
      const targets = tf.tidy(() => chooseTargetClasses(tf.gather(teacher.logits, indices), targetClass, mulberry32((Math.imul(this.seed | 0, 0x9e3779b1) + progress.step) >>> 0, TARGET_SALT)));
      let samples: tf.Tensor;
      try {
        samples = generateBoundarySamples(this.options.teacher, base, targets, { steps, stepSize, stepRule, ...(clamp ? { inputRange: range } : {}) });
      } finally {
        tf.dispose([base, targets]);
      }
      try {
        const teacherLogits = tf.tidy(() => this.options.teacher.predictLogits(samples));
        return { samples, teacherLogits, weights };
      } catch (error) {
        samples.dispose();
        throw error;
      }
    } catch (error) {
      weights.dispose();
      throw error;
    } finally {
      indices.dispose();
    }
  }

  /** boundary samples are clamped to inputRange: data outside it would be silently distorted */
  private checkRange(x: tf.Tensor): void {
    const [low, high] = this.settings.range;
    const [min, max] = tf.tidy(() => [tf.min(x).dataSync()[0] as number, tf.max(x).dataSync()[0] as number]);
    if ((min as number) < low || (max as number) > high) {
      throw new ConfigError(
        `bss: the data spans [${min}, ${max}], outside inputRange [${low}, ${high}] that boundary samples are clamped to`,
        'set inputRange to the range of your inputs, or clampInputs: false',
      );
    }
  }
}

export function boundarySupportingDistillation(options: BoundarySupportingOptions): BoundarySupportingDistillation {
  return new BoundarySupportingDistillation(options);
}
