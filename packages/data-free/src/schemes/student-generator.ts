import * as tf from '@tensorflow/tfjs';
import { prefixed, type Student, type Trackables } from '@distillery/core';
import type { Generator } from '../generator/generator.js';
import { latentCodes } from '../generator/latent.js';

/**
 * What a data-free scheme checkpoints: the student, and the generator when it has one, each with its
 * optimiser (absent before prepare()). Shared by the generator schemes and DeepInversion.
 */
export function studentGeneratorTrackables(
  student: Student,
  prepared: { readonly studentOptimizer: tf.Optimizer; readonly generator?: Generator | undefined; readonly generatorOptimizer?: tf.Optimizer | undefined } | undefined,
): Trackables {
  return {
    variables: {
      ...prefixed('student', student.stateVariables()),
      ...(prepared?.generator ? prefixed('generator', prepared.generator.stateVariables()) : {}),
    },
    optimizers: {
      ...(prepared ? { student: prepared.studentOptimizer } : {}),
      ...(prepared?.generatorOptimizer ? { generator: prepared.generatorOptimizer } : {}),
    },
  };
}

/** Latent codes of the sample draw: a step no training step uses, so samples never repeat a batch. */
const SAMPLE_STEP = -1;

/**
 * `count` generator outputs for looking at (SampleSource.sampleInputs). Batch statistics, as during
 * training: the moving averages of a short run are still near their initial values and would show
 * something the student never saw. This moves the generator's batch-norm moving averages, which no
 * training step reads.
 */
export function generatorSamples(generator: Generator, count: number, seed: number): tf.Tensor {
  return tf.tidy(() => generator.generate(latentCodes(count, generator.latentDim, seed, SAMPLE_STEP), { training: true }));
}
