import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  createOptimizer,
  gradientStep,
  mulberry32,
  requireChoice,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
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
import { kdLoss, type KdLoss } from '@distillery/losses';
import { deriveSeed } from '@distillery/models';
import type { Generator } from '../generator/generator.js';
import { latentCodes } from '../generator/latent.js';
import type { BatchNormStatistic } from '../losses/batch-norm-statistics.js';
import { inversionObjective, roll, type InversionWeights } from '../losses/inversion-objective.js';
import { statisticsOf } from '../teachers/batch-norm-teacher.js';
import { assertGeneratorFits, assertPair, notPrepared, requireFeature, requireWhiteBox, teacherFeatureShapes } from './checks.js';
import { distilStep } from './distil.js';
import type { GeneratorSource } from './generator-scheme.js';
import type { SampleSource, TrainingSetFree } from '../capabilities.js';
import { generatorSamples, studentGeneratorTrackables } from './student-generator.js';

export type InversionSynthesis = 'inputs' | 'generator';
export const INVERSION_SYNTHESES: readonly InversionSynthesis[] = ['inputs', 'generator'];
export type InversionTargets = 'cyclic' | 'random';
export const INVERSION_TARGETS: readonly InversionTargets[] = ['cyclic', 'random'];

export interface DeepInversionOptions {
  /** white-box; its batch norms' statistics come from `statistics` or a BatchNormTeacher */
  readonly teacher: Teacher;
  readonly student: Student;
  /** the student's optimiser */
  readonly optimizer: OptimizerSpec;
  /** default: the teacher's own (batchNormTeacher / lenet5Bn) */
  readonly statistics?: readonly BatchNormStatistic[];
  /** 'inputs' (default): optimise a fresh batch of inputs each step; 'generator': train a generator on the same objective */
  readonly synthesis?: InversionSynthesis;
  /** required for synthesis 'generator' */
  readonly generator?: GeneratorSource;
  /** default Adam 1e-3 */
  readonly generatorOptimizer?: OptimizerSpec;
  /** Adam iterations on each batch of inputs (synthesis 'inputs'; the CIFAR-10 script: 2000) */
  readonly inversionSteps?: number;
  /** Adam learning rate on the inputs (CIFAR-10 script: 0.1) */
  readonly inversionLearningRate?: number;
  readonly classificationWeight?: number;
  /** r_feature (CIFAR-10 script: 100) */
  readonly batchNormWeight?: number;
  readonly firstBatchNormScale?: number;
  /** CIFAR-10 script: 2.5e-5 */
  readonly tvL2Weight?: number;
  readonly tvL1Weight?: number;
  readonly l2Weight?: number;
  /** random circular shift in pixels, each iteration (CIFAR-10 script: 2); images only */
  readonly jitter?: number;
  /** target classes: i mod classes ('cyclic', the CIFAR-10 script) or seeded uniform ('random') */
  readonly targets?: InversionTargets;
  /** initial inputs ~ N(initialMean, initialStd^2) (synthesis 'inputs') */
  readonly initialMean?: number;
  readonly initialStd?: number;
  /** KD temperature for the student (default 1) */
  readonly temperature?: number;
  readonly disposeGenerator?: boolean;
}

export const DEEP_INVERSION_DEFAULTS = {
  synthesis: 'inputs',
  inversionSteps: 200,
  inversionLearningRate: 0.1,
  classificationWeight: 1,
  batchNormWeight: 100,
  firstBatchNormScale: 1,
  tvL2Weight: 2.5e-5,
  tvL1Weight: 0,
  l2Weight: 0,
  jitter: 2,
  targets: 'cyclic',
  initialMean: 0,
  initialStd: 1,
  temperature: 1,
  generatorLearningRate: 1e-3,
} as const;

interface Prepared {
  readonly seed: number;
  readonly numClasses: number;
  readonly studentOptimizer: tf.Optimizer;
  readonly generator?: Generator;
  readonly generatorOptimizer?: tf.Optimizer;
}

/**
 * DeepInversion (Yin et al., CVPR 2020): synthesise inputs the frozen teacher classifies as chosen targets
 * while its batch norms see the statistics they stored during training, under image priors; the student
 * distils on them (KD at temperature 1, the inputs and the teacher's logits as constants).
 * - synthesis 'inputs' (the paper): each step starts a fresh batch from seeded noise and runs
 *   `inversionSteps` Adam updates on it (a fresh Adam state per batch, as the CIFAR-10 script resets it),
 *   then one student update. The inputs' Adam is transient (nothing to checkpoint between steps).
 *   Terms: the last iteration's ce, batchNorm, tv*, l2, inversion; kd; total = kd.
 * - synthesis 'generator': one generator update on the same objective per step, then one student update
 *   on the pre-update samples (as in DAFL). Terms as above, total = inversion + kd.
 * Adaptive DeepInversion's competition term is not implemented.
 */
export class DeepInversion implements Scheme, SampleSource, TrainingSetFree {
  readonly name = 'deep-inversion';
  /** each step synthesises batch.size inputs; batch contents are never read */
  readonly readsTrainingSet = false;
  private readonly synthesis: InversionSynthesis;
  private readonly weights: InversionWeights;
  private readonly statistics: readonly BatchNormStatistic[];
  private readonly inversionSteps: number;
  private readonly inversionLearningRate: number;
  private readonly jitter: number;
  private readonly targets: InversionTargets;
  private readonly initialMean: number;
  private readonly initialStd: number;
  private readonly kd: KdLoss;
  private prepared: Prepared | undefined;

  constructor(private readonly options: DeepInversionOptions) {
    const d = DEEP_INVERSION_DEFAULTS;
    const scheme = 'deep-inversion';
    // checked here as well as in prepare(), so a tool that only builds the scheme (a suite check) sees it
    requireWhiteBox(scheme, options.teacher);
    const weightHint = 'weights are >= 0; the CIFAR-10 script uses batchNormWeight 100, tvL2Weight 2.5e-5';
    this.synthesis = requireChoice(scheme, 'synthesis', options.synthesis ?? d.synthesis, INVERSION_SYNTHESES);
    this.targets = requireChoice(scheme, 'targets', options.targets ?? d.targets, INVERSION_TARGETS);
    this.weights = {
      classification: requireNonNegative(scheme, 'classificationWeight', options.classificationWeight ?? d.classificationWeight, weightHint),
      batchNorm: requireNonNegative(scheme, 'batchNormWeight', options.batchNormWeight ?? d.batchNormWeight, weightHint),
      firstBatchNormScale: requireNonNegative(scheme, 'firstBatchNormScale', options.firstBatchNormScale ?? d.firstBatchNormScale, weightHint),
      tvL2: requireNonNegative(scheme, 'tvL2Weight', options.tvL2Weight ?? d.tvL2Weight, weightHint),
      tvL1: requireNonNegative(scheme, 'tvL1Weight', options.tvL1Weight ?? d.tvL1Weight, weightHint),
      l2: requireNonNegative(scheme, 'l2Weight', options.l2Weight ?? d.l2Weight, weightHint),
    };
    this.inversionSteps = requirePositiveInteger(scheme, 'inversionSteps', options.inversionSteps ?? d.inversionSteps, 'e.g. 200; the CIFAR-10 script runs 2000');
    this.inversionLearningRate = requirePositive(scheme, 'inversionLearningRate', options.inversionLearningRate ?? d.inversionLearningRate, 'the CIFAR-10 script uses 0.1');
    const jitter = options.jitter ?? d.jitter;
    if (!Number.isInteger(jitter) || jitter < 0) throw new ConfigError(`${scheme}: jitter must be an integer >= 0, got ${jitter}`, 'a shift in pixels, e.g. 2');
    this.jitter = jitter;
    this.initialMean = options.initialMean ?? d.initialMean;
    this.initialStd = requirePositive(scheme, 'initialStd', options.initialStd ?? d.initialStd, 'start from noise with the data\'s spread, e.g. 1');
    this.kd = kdLoss({ temperature: requirePositive(scheme, 'temperature', options.temperature ?? d.temperature, 'DeepInversion distils at temperature 1') });
    this.statistics = options.statistics ?? statisticsOf(options.teacher);
    if (this.synthesis === 'generator' && !options.generator) {
      throw new ConfigError(`${scheme}: synthesis "generator" needs a generator`, 'pass generator: (seed) => imageGenerator({ outputShape, seed })');
    }
  }

  prepare(context: SchemeContext, _sample: Batch): void {
    const { teacher, student } = this.options;
    requireWhiteBox(this.name, teacher);
    assertPair(context, teacher, student);
    this.validateStatistics(teacher);
    if (teacher.inputShape.length !== 3 && (this.weights.tvL1 > 0 || this.weights.tvL2 > 0 || this.jitter > 0)) {
      throw new ConfigError(
        `${this.name}: total variation and jitter need images [height, width, channels], the teacher takes [${teacher.inputShape.join(', ')}]`,
        'set tvL1Weight, tvL2Weight and jitter to 0 for non-image inputs',
      );
    }
    this.release(false);
    let generator: Generator | undefined;
    if (this.synthesis === 'generator') {
      const source = this.options.generator as GeneratorSource;
      generator = typeof source === 'function' ? source(context.seed) : source;
      try {
        assertGeneratorFits(this.name, generator, teacher);
      } catch (error) {
        if (typeof source === 'function') generator.dispose();
        throw error;
      }
    }
    this.prepared = {
      seed: context.seed,
      numClasses: context.numClasses,
      studentOptimizer: createOptimizer(this.options.optimizer),
      ...(generator
        ? { generator, generatorOptimizer: createOptimizer(this.options.generatorOptimizer ?? { name: 'adam', learningRate: DEEP_INVERSION_DEFAULTS.generatorLearningRate }) }
        : {}),
    };
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const prepared = this.prepared;
    if (!prepared) throw notPrepared(this.name);
    const targets = this.targetClasses(batch.size, prepared, progress);
    try {
      return prepared.generator ? this.generatorStep(prepared, targets, batch.size, progress) : this.inputsStep(prepared, targets, batch.size, progress);
    } finally {
      targets.dispose();
    }
  }

  /** the generator built for this run (synthesis 'generator', after prepare) */
  get generator(): Generator | undefined {
    return this.prepared?.generator;
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.options.student };
  }

  referenceModel(): Classifier | undefined {
    return this.options.teacher;
  }

  /**
   * `count` synthetic inputs (SampleSource), after prepare(): the generator's outputs, or for synthesis
   * 'inputs' one batch optimised exactly as a step's (inversionSteps teacher passes) without the student update.
   */
  sampleInputs(count: number): tf.Tensor {
    const prepared = this.prepared;
    if (!prepared) throw notPrepared(this.name);
    if (prepared.generator) return generatorSamples(prepared.generator, count, prepared.seed);
    const progress: TrainingProgress = { epoch: 0, step: -1, fraction: 1 };
    const targets = this.targetClasses(count, prepared, progress);
    try {
      const { images, last } = this.synthesiseInputs(prepared, targets, count, progress);
      tf.dispose(last);
      return images;
    } finally {
      targets.dispose();
    }
  }

  trackables(): Trackables {
    return studentGeneratorTrackables(this.options.student, this.prepared);
  }

  dispose(): void {
    this.release(true);
  }

  private release(final: boolean): void {
    const prepared = this.prepared;
    if (!prepared) return;
    this.prepared = undefined;
    prepared.studentOptimizer.dispose();
    prepared.generatorOptimizer?.dispose();
    if (prepared.generator && (typeof this.options.generator === 'function' || (final && this.options.disposeGenerator))) prepared.generator.dispose();
  }

  private validateStatistics(teacher: Teacher): void {
    if (this.weights.batchNorm === 0) return;
    if (this.statistics.length === 0) {
      throw new ConfigError(
        `${this.name}: teacher "${teacher.name}" carries no batch-norm statistics`,
        'DeepInversion matches them: use a teacher with batch norms (lenet5Bn + batchNormTeacher) or pass statistics; batchNormWeight 0 inverts without them',
      );
    }
    const shapes = tf.tidy(() => teacherFeatureShapes(teacher, tf.zeros([2, ...teacher.inputShape])));
    for (const { feature, mean, variance } of this.statistics) {
      requireFeature(`the teacher (needed by deep-inversion's batch-norm statistics)`, feature, shapes);
      const channels = shapes[feature]?.at(-1);
      if (channels !== mean.size || channels !== variance.size) {
        throw new ConfigError(
          `${this.name}: feature "${feature}" has ${channels} channels but its statistics have ${mean.size} / ${variance.size}`,
          'pair each batch norm\'s input tap with that batch norm\'s moving mean and variance',
        );
      }
    }
  }

  private targetClasses(count: number, prepared: Prepared, progress: TrainingProgress): tf.Tensor1D {
    const classes = prepared.numClasses;
    if (this.targets === 'cyclic') return tf.tensor1d(Array.from({ length: count }, (_, i) => i % classes), 'int32');
    const random = mulberry32(deriveSeed(prepared.seed, `targets/${progress.step}`));
    return tf.tensor1d(Array.from({ length: count }, () => random.int(classes)), 'int32');
  }

  /** the jittered view the teacher sees at iteration `iteration` of this step */
  private jittered(x: tf.Tensor, prepared: Prepared, progress: TrainingProgress, iteration: number): tf.Tensor {
    if (this.jitter === 0 || x.rank !== 4) return x;
    const random = mulberry32(deriveSeed(prepared.seed, `jitter/${progress.step}/${iteration}`));
    const span = 2 * this.jitter + 1;
    return roll(x as tf.Tensor4D, random.int(span) - this.jitter, random.int(span) - this.jitter);
  }

  private objective(x: tf.Tensor, targets: tf.Tensor1D, prepared: Prepared, progress: TrainingProgress, iteration: number): { total: tf.Scalar; terms: LossTerms } {
    const view = this.jittered(x, prepared, progress, iteration);
    const terms = inversionObjective(this.options.teacher.forward(view), view, targets, this.statistics, this.weights);
    const { inversion, ...rest } = terms;
    return { total: inversion as tf.Scalar, terms: rest };
  }

  /** one batch of inputs optimised by `inversionSteps` Adam updates from seeded noise; returns it with the last iteration's terms */
  private synthesiseInputs(prepared: Prepared, targets: tf.Tensor1D, count: number, progress: TrainingProgress): { images: tf.Tensor; last: LossTerms } {
    const shape = this.options.teacher.inputShape;
    const size = shape.reduce((a, b) => a * b, 1);
    const inputs = tf.tidy(() =>
      tf.variable(tf.add(tf.mul(tf.reshape(latentCodes(count, size, prepared.seed, progress.step), [count, ...shape]), this.initialStd), this.initialMean), true),
    );
    const optimizer = tf.train.adam(this.inversionLearningRate);
    let last: LossTerms = {};
    try {
      for (let i = 0; i < this.inversionSteps; i++) {
        tf.dispose(last);
        last = gradientStep(optimizer, [inputs], () => this.objective(inputs, targets, prepared, progress, i));
      }
      return { images: inputs.clone(), last };
    } catch (error) {
      tf.dispose(last);
      throw error;
    } finally {
      optimizer.dispose();
      inputs.dispose();
    }
  }

  private inputsStep(prepared: Prepared, targets: tf.Tensor1D, count: number, progress: TrainingProgress): LossTerms {
    const { images, last } = this.synthesiseInputs(prepared, targets, count, progress);
    try {
      const teacherLogits = tf.tidy(() => this.options.teacher.forward(images).logits);
      const kd = distilStep(prepared.studentOptimizer, this.options.student, this.kd, images, teacherLogits, prepared.numClasses, progress);
      teacherLogits.dispose();
      const { total: inversion, ...terms } = last;
      return { ...terms, inversion: inversion as tf.Scalar, kd, total: kd.clone() };
    } catch (error) {
      tf.dispose(last);
      throw error;
    } finally {
      images.dispose();
    }
  }

  private generatorStep(prepared: Prepared, targets: tf.Tensor1D, count: number, progress: TrainingProgress): LossTerms {
    const generator = prepared.generator as Generator;
    const z = latentCodes(count, generator.latentDim, prepared.seed, progress.step);
    const kept: { images?: tf.Tensor } = {};
    try {
      const terms = gradientStep(prepared.generatorOptimizer as tf.Optimizer, generator.trainableVariables(), () => {
        const x = generator.generate(z, { training: true });
        kept.images = tf.keep(x.clone());
        return this.objective(x, targets, prepared, progress, 0);
      });
      const images = kept.images as tf.Tensor;
      const teacherLogits = tf.tidy(() => this.options.teacher.forward(images).logits);
      const kd = distilStep(prepared.studentOptimizer, this.options.student, this.kd, images, teacherLogits, prepared.numClasses, progress);
      teacherLogits.dispose();
      const { total: inversion, ...rest } = terms;
      return { ...rest, inversion: inversion as tf.Scalar, kd, total: tf.add(inversion as tf.Scalar, kd) as tf.Scalar };
    } finally {
      tf.dispose([z, ...(kept.images ? [kept.images] : [])]);
    }
  }
}

export function deepInversion(options: DeepInversionOptions): DeepInversion {
  return new DeepInversion(options);
}
