import {
  EmptyDatasetError,
  Trainer,
  predictDataset,
  type Classifier,
  type Dataset,
  type OptimizerSpec,
  type Teacher,
  type TrainableModel,
  type TrainingResult,
} from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { offlineDistillation } from '@distillery/offline';
import { weightedEnsembleTeacher } from './ensemble-teacher.js';
import { searchEnsembleWeights, type EnsembleObjective, type WeightSearchOptions, type WeightSearchResult } from './weights.js';

export interface AssistantEnsembleOptions {
  /** trained assistants (or any classifiers) to combine */
  readonly assistants: readonly Classifier[];
  /** held-out data for the weight search; must not be empty */
  readonly validation: Dataset;
  readonly objective?: EnsembleObjective;
  readonly search?: WeightSearchOptions['search'];
  readonly seed?: number;
}

/** Runs every assistant over the validation set and finds the mixture weights by differential evolution. */
export async function findAssistantWeights(options: AssistantEnsembleOptions): Promise<WeightSearchResult> {
  if (options.validation.size === 0) throw new EmptyDatasetError(`validation dataset "${options.validation.name}"`);
  const members = [];
  for (const assistant of options.assistants) members.push(await predictDataset(assistant, options.validation));
  return searchEnsembleWeights({
    members,
    ...(options.objective ? { objective: options.objective } : {}),
    ...(options.search ? { search: options.search } : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
}

export interface EnsembleDistillationOptions extends AssistantEnsembleOptions {
  readonly student: TrainableModel;
  readonly train: Dataset;
  readonly evaluation?: Dataset;
  readonly epochs: number;
  readonly batchSize?: number;
  readonly optimizer: OptimizerSpec;
  readonly kd?: { readonly temperature?: number; readonly alpha?: number };
}

export interface EnsembleDistillationResult {
  readonly weights: readonly number[];
  readonly search: WeightSearchResult;
  /** the weighted ensemble the student learned from (a black-box view of the assistants) */
  readonly teacher: Teacher;
  readonly result: TrainingResult;
}

/**
 * Several assistants -> one student: weights from `findAssistantWeights`, then offline KD from the
 * weighted mixture of the assistants' probabilities (Ganta, Gupta, Sheng 2022).
 */
export async function distillFromAssistantEnsemble(options: EnsembleDistillationOptions): Promise<EnsembleDistillationResult> {
  const search = await findAssistantWeights(options);
  const teacher = weightedEnsembleTeacher(options.assistants, search.weights);
  const scheme = offlineDistillation({
    teacher,
    student: options.student,
    losses: [{ loss: kdLoss({ temperature: options.kd?.temperature ?? 4 }), weight: 1 }],
    alpha: options.kd?.alpha ?? 0.9,
    optimizer: options.optimizer,
  });
  try {
    const result = await new Trainer({
      scheme,
      train: options.train,
      ...(options.evaluation ? { evaluation: options.evaluation } : {}),
      epochs: options.epochs,
      batchSize: options.batchSize ?? 128,
      seed: options.seed ?? 1,
    }).fit();
    return { weights: search.weights, search, teacher, result };
  } finally {
    scheme.dispose();
  }
}
