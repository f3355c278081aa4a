import type * as tf from '@tensorflow/tfjs';
import type { Batch, ModelOutputs, StepContext, TrainingProgress } from '@distillery/core';

/**
 * The step context a knowledge loss reads, with `teacher` set to whatever plays the teacher for this
 * term (a peer's detached prediction, the cohort's mean, a frozen teacher). Online schemes reuse the
 * losses package's losses this way instead of re-deriving their formulas.
 */
export function lossContext(learner: ModelOutputs, target: tf.Tensor2D | undefined, batch: Batch, progress: TrainingProgress, numClasses: number): StepContext {
  return {
    student: learner,
    ...(target ? { teacher: { logits: target, features: {} } } : {}),
    labels: batch.y,
    indices: batch.index,
    numClasses,
    progress,
  };
}
