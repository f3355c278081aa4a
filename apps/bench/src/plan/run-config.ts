import type { HyperParameters } from '@distillery/core';
import { createHash } from 'node:crypto';
import type { AugmentationSpec, LossRef, ModelSpec, NoiseSpec, OptimizerSpecInput, SubsetSpec, View } from '../suites/schema.js';
import type { Role } from '../suites/resolve.js';
import type { TextDatasetConfig } from '../text/text-config.js';

/**
 * Everything that determines a run's numbers. Its hash is the run id: re-running a suite skips runs
 * whose id is already in the results, and any change here (data, model, hyper-parameters, the
 * teacher's own config through its run id, seed) makes a new run. Report labels (row ids, groups,
 * paper figures) are not part of it, and neither is the backend: it changes speed, not the maths, and
 * each record says which backend ran it (use another --out folder to compare backends). Fields added
 * for cohorts, several teachers and output rows are absent from runs that do not use them, so the run
 * ids of older suites stay valid.
 */
export interface RunConfig {
  readonly format: 1;
  readonly dataset: { readonly name: 'mnist' | 'fashion-mnist'; readonly testLimit?: number } | TextDatasetConfig;
  readonly data: SubsetSpec;
  readonly view: View;
  readonly augmentation: AugmentationSpec;
  readonly model: ModelSpec;
  readonly modelSeed: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** test-set evaluations at most (absent: DEFAULT_EVALUATIONS); they change the curves, not the final numbers */
  readonly evaluations?: number;
  readonly optimizer: OptimizerSpecInput;
  readonly role: Role;
  readonly method?: {
    readonly scheme: string;
    readonly schemeOptions: HyperParameters;
    readonly losses: readonly LossRef[];
    readonly alpha?: number;
    readonly classBias?: Readonly<Record<string, number>>;
  };
  /** the one teacher of a run (absent without one) */
  readonly teacher?: TeacherEntry;
  /** the teachers of a run with two or more, in the order the scheme receives them (then `teacher` is absent) */
  readonly teachers?: readonly TeacherEntry[];
  /** models trained beside the student in the same run (a cohort); they see the student's view */
  readonly peers?: ReadonlyArray<{ readonly model: ModelSpec; readonly modelSeed: number }>;
  /**
   * Output rows: the evaluation model of the run whose config this otherwise is (peer1, head:hidden1,
   * ensemble). Such a run trains nothing: it reads what that run recorded.
   */
  readonly evaluationModel?: string;
  /** the student starts from the trained student of this run (a row's `initFrom`: TinyBERT's stage 2) */
  readonly initFrom?: { readonly runId: string };
  /**
   * Rows trained on no images of the dataset (absent otherwise): the trainer iterates stepsPerEpoch x
   * batchSize seeded samples in the run's view, N(noise.mean, noise.std^2) noise the student learns from, or
   * (without noise) a clock that data-free schemes never read.
   */
  readonly syntheticSet?: { readonly stepsPerEpoch: number; readonly noise?: NoiseSpec };
  readonly seed: number;
}

/** A trained model a run learns from: a teacher row's run or another method row's (an assistant, a generation). */
export interface TeacherEntry {
  /** the run that trained it; its saved model is loaded */
  readonly runId: string;
  readonly model: ModelSpec;
  readonly view: View;
  readonly modelSeed: number;
  /** seen as a black box: probabilities only (absent when false, so single white-box teachers keep their run ids) */
  readonly blackBox?: true;
}

/** Test-set evaluations per run when a suite does not say: at most ~30 learning-curve points. */
export const DEFAULT_EVALUATIONS = 30;

/** Epochs between test-set evaluations (the last epoch is always evaluated). */
export function evaluateEveryOf(config: Pick<RunConfig, 'epochs' | 'evaluations'>): number {
  return Math.max(1, Math.ceil(config.epochs / (config.evaluations ?? DEFAULT_EVALUATIONS)));
}

/** Every teacher of a run, in scheme order. */
export function teacherEntries(config: Pick<RunConfig, 'teacher' | 'teachers'>): readonly TeacherEntry[] {
  return config.teachers ?? (config.teacher ? [config.teacher] : []);
}

/** JSON with object keys sorted at every level and undefined values dropped: equal configs, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex digits of SHA-256 over the canonical config. */
export function runIdOf(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** The options a run's scheme is created with: its schemeOptions, plus the row's alpha when given. */
export function schemeOptionsOf(method: { readonly schemeOptions: HyperParameters; readonly alpha?: number | undefined }): HyperParameters {
  return { ...method.schemeOptions, ...(method.alpha !== undefined ? { alpha: method.alpha } : {}) };
}
