import {
  ConfigError,
  EmptyDatasetError,
  assertClassCounts,
  assertInputShape,
  type Dataset,
  type OptimizerSpec,
  type TrainableModel,
  type TrainerCallbacks,
  type TrainingResult,
} from '@distillery/core';
import { mixSeed } from '@distillery/data';
import { capacityWarnings, consoleWarning, type CapacityWarning, type WarningHandler } from './capacity.js';
import { isFactory, resolveModel, type ModelSource } from './model-source.js';
import { runLink, type LinkSettings } from './run-link.js';

export interface ChainKdOptions {
  /** softmax temperature of every link's KD loss; default 4 */
  readonly temperature?: number;
  /** (1 - alpha) * CE + alpha * KD; default 0.9 */
  readonly alpha?: number;
}

export interface RunChainOptions {
  /** [teacher, assistant(s)..., student], largest first; models or seeded factories */
  readonly stages: readonly ModelSource[];
  readonly train: Dataset;
  /** evaluated after every epoch of every link (accuracy, NLL, agreement with that link's teacher) */
  readonly evaluation?: Dataset;
  /** epochs of each distillation link: one number for all, or one per link */
  readonly epochs: number | readonly number[];
  /**
   * Train the first stage on labels before the chain. Default: true when it is given as a factory (a
   * fresh model), false when it is given as a model (assumed trained).
   */
  readonly trainTeacher?: boolean;
  /** epochs for training the teacher; default the first link's epochs */
  readonly teacherEpochs?: number;
  readonly optimizer: OptimizerSpec;
  readonly kd?: ChainKdOptions;
  /** default 128 */
  readonly batchSize?: number;
  /** seeds the factories (stage i gets mixSeed(seed, i)) and each link's shuffling; default 1 */
  readonly seed?: number;
  /** reuse teacher logits by sample index within a link; default true */
  readonly cacheTeacherOutputs?: boolean;
  /** called for every link whose learner is larger than its teacher; default console.warn */
  readonly onWarning?: WarningHandler;
  /** called after each link has trained */
  readonly onLinkEnd?: (link: ChainLink) => void | Promise<void>;
  /** passed to every link's Trainer (progress bars) */
  readonly callbacks?: TrainerCallbacks;
}

export interface ChainLink {
  /** 1 for teacher -> first assistant, ..., stages - 1 for the last assistant -> student */
  readonly index: number;
  /** the previous link's trained model (the first stage for link 1) */
  readonly teacher: TrainableModel;
  readonly student: TrainableModel;
  readonly teacherParams: number;
  readonly studentParams: number;
  readonly result: TrainingResult;
}

export interface ChainResult {
  readonly teacher: { readonly model: TrainableModel; readonly params: number; readonly result?: TrainingResult };
  readonly links: readonly ChainLink[];
  /** the last stage, trained */
  readonly student: TrainableModel;
  readonly warnings: readonly CapacityWarning[];
}

function epochsPerLink(epochs: number | readonly number[], links: number): number[] {
  const list = typeof epochs === 'number' ? Array.from({ length: links }, () => epochs) : [...epochs];
  if (list.length !== links) throw new ConfigError(`got ${list.length} epoch counts for ${links} links`, 'give one number for every link, or a single number');
  for (const e of list) if (!Number.isInteger(e) || e < 1) throw new ConfigError(`epochs must be positive integers, got ${e}`, 'e.g. epochs: 10');
  return list;
}

/** Every distinct model of a chain result; dispose them when done (`disposeChain`). */
export function chainModels(result: ChainResult): TrainableModel[] {
  return [...new Set([result.teacher.model, ...result.links.map((link) => link.student)])];
}

export function disposeChain(result: ChainResult): void {
  for (const model of chainModels(result)) model.dispose();
}

/**
 * Teacher-assistant knowledge distillation (TAKD, Mirzadeh et al., AAAI 2020): a chain
 * teacher -> assistant_1 -> ... -> student in which every link is a full offline distillation run
 * (Hinton KD through @distillery/offline and the core Trainer) and the trained learner becomes the
 * next link's frozen teacher. Returns every link's training result; all models belong to the caller.
 */
export async function runChain(options: RunChainOptions): Promise<ChainResult> {
  const { stages, train } = options;
  if (stages.length < 2) throw new ConfigError(`a chain needs at least a teacher and a student, got ${stages.length} stage(s)`, 'pass stages: [teacher, assistant, student]');
  if (train.size === 0) throw new EmptyDatasetError(`training dataset "${train.name}"`);
  if (options.evaluation && options.evaluation.size === 0) throw new EmptyDatasetError(`evaluation dataset "${options.evaluation.name}"`);
  const linkEpochs = epochsPerLink(options.epochs, stages.length - 1);
  const seed = options.seed ?? 1;
  const settings: LinkSettings = {
    train,
    ...(options.evaluation ? { evaluation: options.evaluation } : {}),
    batchSize: options.batchSize ?? 128,
    optimizer: options.optimizer,
    temperature: options.kd?.temperature ?? 4,
    alpha: options.kd?.alpha ?? 0.9,
    cacheTeacherOutputs: options.cacheTeacherOutputs ?? true,
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
  };

  const built: TrainableModel[] = [];
  const models: TrainableModel[] = [];
  try {
    stages.forEach((source, i) => {
      const model = resolveModel(source, mixSeed(seed, i));
      if (isFactory(source)) built.push(model);
      models.push(model);
    });
    // Fail before any training: a class-count or input mismatch in link 3 should not cost links 1 and 2.
    assertClassCounts(train.numClasses, models);
    assertInputShape(train.inputShape, models);
    const warnings = capacityWarnings(models);
    for (const warning of warnings) (options.onWarning ?? consoleWarning)(warning);

    const teacher = models[0] as TrainableModel;
    const trainTeacher = options.trainTeacher ?? isFactory(stages[0] as ModelSource);
    const teacherResult = trainTeacher ? await runLink(undefined, teacher, options.teacherEpochs ?? (linkEpochs[0] as number), mixSeed(seed, 0, 1), settings) : undefined;

    const links: ChainLink[] = [];
    for (let i = 1; i < models.length; i++) {
      const linkTeacher = models[i - 1] as TrainableModel;
      const learner = models[i] as TrainableModel;
      const result = await runLink(linkTeacher, learner, linkEpochs[i - 1] as number, mixSeed(seed, i, 1), settings);
      const link: ChainLink = { index: i, teacher: linkTeacher, student: learner, teacherParams: linkTeacher.countParams(), studentParams: learner.countParams(), result };
      links.push(link);
      await options.onLinkEnd?.(link);
    }
    return {
      teacher: { model: teacher, params: teacher.countParams(), ...(teacherResult ? { result: teacherResult } : {}) },
      links,
      student: models[models.length - 1] as TrainableModel,
      warnings,
    };
  } catch (error) {
    // Models this call built are not handed back on failure: release them.
    for (const model of built) model.dispose();
    throw error;
  }
}
