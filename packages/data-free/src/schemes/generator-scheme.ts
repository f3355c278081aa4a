import * as tf from '@tensorflow/tfjs';
import {
  createOptimizer,
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
import { kdLoss, type KdLoss } from '@distillery/losses';
import type { Generator } from '../generator/generator.js';
import { latentCodes } from '../generator/latent.js';
import type { SampleSource, TrainingSetFree } from '../capabilities.js';
import { assertGeneratorFits, assertPair, notPrepared, requireWhiteBox } from './checks.js';
import { generatorSamples, studentGeneratorTrackables } from './student-generator.js';

/** A generator, or a factory called once in prepare() with the run's seed (so every seed starts elsewhere). */
export type GeneratorSource = Generator | ((seed: number) => Generator);

export interface GeneratorSchemeOptions {
  readonly teacher: Teacher;
  readonly student: Student;
  readonly generator: GeneratorSource;
  /** the student's optimiser */
  readonly optimizer: OptimizerSpec;
  readonly generatorOptimizer: OptimizerSpec;
  /** temperature of the student's KD term (DAFL and DeepInversion: 1, the plain KL) */
  readonly temperature?: number;
  /** dispose a generator passed as an instance with the scheme (a factory's generator always is) */
  readonly disposeGenerator?: boolean;
}

interface Prepared {
  readonly generator: Generator;
  readonly studentOptimizer: tf.Optimizer;
  readonly generatorOptimizer: tf.Optimizer;
  readonly seed: number;
  readonly numClasses: number;
}

/**
 * What the generator-based data-free schemes share: a frozen white-box teacher, a student, a generator
 * with its own optimiser, and the checks that must pass before the first step. The teacher's variables
 * are never handed to an optimiser; the generator's optimiser receives only the generator's variables and
 * the student's only the student's (tested as GAN-loop invariants).
 */
export abstract class GeneratorScheme implements Scheme, SampleSource, TrainingSetFree {
  abstract readonly name: string;
  /** each step draws batch.size latent codes; batch contents are never read */
  readonly readsTrainingSet = false;
  protected readonly kd: KdLoss;
  private prepared: Prepared | undefined;

  /** `scheme` names the concrete scheme in errors (this.name is not set yet while the base constructor runs) */
  constructor(
    protected readonly base: GeneratorSchemeOptions,
    scheme = 'data-free',
  ) {
    // checked here as well as in prepare(), so a tool that only builds the scheme (a suite check) sees it
    requireWhiteBox(scheme, base.teacher);
    const temperature = requirePositive(scheme, 'temperature', base.temperature ?? 1, 'DAFL distils at temperature 1');
    this.kd = kdLoss({ temperature });
  }

  /** extra validation of a concrete scheme, after the shared checks; the generator exists by now */
  protected abstract validate(context: SchemeContext, generator: Generator): void;
  abstract step(batch: Batch, progress: TrainingProgress): LossTerms;

  prepare(context: SchemeContext, _sample: Batch): void {
    const { teacher, student } = this.base;
    requireWhiteBox(this.name, teacher);
    assertPair(context, teacher, student);
    this.disposePrepared(false);
    const generator = typeof this.base.generator === 'function' ? this.base.generator(context.seed) : this.base.generator;
    try {
      assertGeneratorFits(this.name, generator, teacher);
      this.validate(context, generator);
    } catch (error) {
      if (typeof this.base.generator === 'function') generator.dispose();
      throw error;
    }
    this.prepared = {
      generator,
      studentOptimizer: createOptimizer(this.base.optimizer),
      generatorOptimizer: createOptimizer(this.base.generatorOptimizer),
      seed: context.seed,
      numClasses: context.numClasses,
    };
  }

  /** the prepared state, or a typed error when step() comes first */
  protected state(): Prepared {
    if (!this.prepared) throw notPrepared(this.name);
    return this.prepared;
  }

  /** latent codes for draw `draw` of this step: a pure function of (run seed, step, draw) */
  protected latent(count: number, progress: TrainingProgress, draw = 0): tf.Tensor2D {
    const { generator, seed } = this.state();
    return latentCodes(count, generator.latentDim, seed, progress.step, draw);
  }

  /** the generator built for this run (after prepare) */
  get generator(): Generator {
    return this.state().generator;
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { student: this.base.student };
  }

  referenceModel(): Classifier | undefined {
    return this.base.teacher;
  }

  /** `count` generator outputs (SampleSource), after prepare() */
  sampleInputs(count: number): tf.Tensor {
    const { generator, seed } = this.state();
    return generatorSamples(generator, count, seed);
  }

  trackables(): Trackables {
    return studentGeneratorTrackables(this.base.student, this.prepared);
  }

  dispose(): void {
    this.disposePrepared(true);
  }

  /** a factory's generator belongs to the scheme; an instance only when disposeGenerator says so (and only at the end) */
  private disposePrepared(final: boolean): void {
    const prepared = this.prepared;
    if (!prepared) return;
    this.prepared = undefined;
    prepared.studentOptimizer.dispose();
    prepared.generatorOptimizer.dispose();
    if (typeof this.base.generator === 'function' || (final && this.base.disposeGenerator)) prepared.generator.dispose();
  }
}
