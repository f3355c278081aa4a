import {
  Trainer,
  type Dataset,
  type OptimizerSpec,
  type TrainableModel,
  type TrainerCallbacks,
  type TrainingResult,
} from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { offlineDistillation } from '@distillery/offline';
import { frozenTeacher } from './frozen-view.js';

export interface LinkSettings {
  readonly train: Dataset;
  readonly evaluation?: Dataset;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  readonly temperature: number;
  readonly alpha: number;
  readonly cacheTeacherOutputs: boolean;
  readonly callbacks?: TrainerCallbacks;
}

/** One full offline run: `learner` learns from labels alone (no teacher) or from `teacher` with Hinton KD. */
export async function runLink(teacher: TrainableModel | undefined, learner: TrainableModel, epochs: number, seed: number, settings: LinkSettings): Promise<TrainingResult> {
  const scheme = offlineDistillation({
    ...(teacher ? { teacher: frozenTeacher(teacher) } : {}),
    student: learner,
    ...(teacher ? { losses: [{ loss: kdLoss({ temperature: settings.temperature }), weight: 1 }], alpha: settings.alpha } : { alpha: 0 }),
    optimizer: settings.optimizer,
    cacheTeacherOutputs: settings.cacheTeacherOutputs,
  });
  try {
    return await new Trainer({
      scheme,
      train: settings.train,
      ...(settings.evaluation ? { evaluation: settings.evaluation } : {}),
      epochs,
      batchSize: settings.batchSize,
      seed,
      ...(settings.callbacks ? { callbacks: settings.callbacks } : {}),
    }).fit();
  } finally {
    scheme.dispose();
  }
}
