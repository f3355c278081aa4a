import {
  ConfigError,
  Trainer,
  evaluateModels,
  type ClassificationMetrics,
  type Classifier,
  type Dataset,
  type OptimizerSpec,
  type TrainableModel,
  type TrainerCallbacks,
  type TrainingResult,
} from '@distillery/core';
import { asTeacher } from '@distillery/models';
import { bornAgainGeneration, type BornAgainTeacher } from './generation-scheme.js';
import { ensembleTeacher } from './ensemble-teacher.js';

export interface BornAgainRunOptions {
  /** a fresh, untrained model of the one architecture for generation g (seed it from g) */
  readonly createModel: (generation: number) => TrainableModel;
  /** how many generations to train, generation 0 included; >= 1 */
  readonly generations: number;
  readonly train: Dataset;
  readonly evaluation?: Dataset;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly optimizer: OptimizerSpec;
  readonly temperature?: number;
  readonly alpha?: number;
  readonly teacher?: BornAgainTeacher;
  readonly cacheTeacherOutputs?: boolean;
  /** handed to each generation's Trainer */
  readonly callbacks?: TrainerCallbacks;
  readonly onGenerationEnd?: (generation: GenerationResult) => void | Promise<void>;
}

export interface GenerationResult {
  readonly generation: number;
  /** the trained model; the caller owns it and disposes it */
  readonly model: TrainableModel;
  /** its Trainer's result; from generation 1 on, `agreement` is measured against its teacher */
  readonly result: TrainingResult;
}

export interface BornAgainResult {
  readonly generations: readonly GenerationResult[];
  /** the mean prediction of every generation (BAN's BANE) */
  readonly ensemble: Classifier;
  /** the ensemble's metrics on `evaluation`, when one is given */
  readonly ensembleMetrics?: ClassificationMetrics;
}

/**
 * Born-again networks (Furlanello et al., ICML 2018) as a multi-stage run: generation 0 is trained on
 * the labels; generation g >= 1, a fresh model of the same architecture, is distilled from generation
 * g - 1 (or from the ensemble of generations 0..g-1), which is frozen. Each generation is one Trainer
 * run with the same epochs, batch size and seed. Models of generations that finished belong to the
 * caller; if a run fails, every model built so far is disposed before the error propagates.
 */
export async function runBornAgain(options: BornAgainRunOptions): Promise<BornAgainResult> {
  const { generations } = options;
  if (!Number.isInteger(generations) || generations < 1) {
    throw new ConfigError(`born-again needs generations >= 1 (an integer), got ${generations}`, 'pass generations: 1 for the label-trained model alone, 2 or more to distil');
  }
  const done: GenerationResult[] = [];
  try {
    for (let generation = 0; generation < generations; generation++) {
      const model = options.createModel(generation);
      try {
        const scheme = bornAgainGeneration({
          previous: done.map((g) => asTeacher(g.model)),
          student: model,
          optimizer: options.optimizer,
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
          ...(options.teacher !== undefined ? { teacher: options.teacher } : {}),
          ...(options.cacheTeacherOutputs !== undefined ? { cacheTeacherOutputs: options.cacheTeacherOutputs } : {}),
        });
        try {
          const result = await new Trainer({
            scheme,
            train: options.train,
            ...(options.evaluation ? { evaluation: options.evaluation } : {}),
            epochs: options.epochs,
            batchSize: options.batchSize,
            seed: options.seed,
            ...(options.callbacks ? { callbacks: options.callbacks } : {}),
          }).fit();
          done.push({ generation, model, result });
        } finally {
          scheme.dispose();
        }
      } catch (error) {
        if (!done.some((g) => g.model === model)) model.dispose();
        throw error;
      }
      await options.onGenerationEnd?.(done[done.length - 1] as GenerationResult);
    }
  } catch (error) {
    for (const g of done) g.model.dispose();
    throw error;
  }
  const ensemble = ensembleTeacher(done.map((g) => g.model));
  if (!options.evaluation) return { generations: done, ensemble };
  const metrics = await evaluateModels({ ensemble }, options.evaluation);
  return { generations: done, ensemble, ...(metrics['ensemble'] ? { ensembleMetrics: metrics['ensemble'] } : {}) };
}
