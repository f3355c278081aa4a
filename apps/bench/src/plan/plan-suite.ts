import { join } from 'node:path';
import type { ResolvedRow, ResolvedSuite } from '../suites/resolve.js';
import { runIdOf, type RunConfig } from './run-config.js';

/** One unit of work: one row of the report for one seed. */
export interface RunTask {
  readonly runId: string;
  readonly suite: string;
  readonly group: string;
  readonly rowId: string;
  /** "KD (T=4) seed 2", for progress lines and messages */
  readonly label: string;
  readonly config: RunConfig;
  /** the teacher run this run learns from (same seed) */
  readonly dependsOn: string | undefined;
  /** where the teacher of this run was saved */
  readonly teacherFolder: string | undefined;
  /** teacher runs save their trained model here */
  readonly saveFolder: string | undefined;
}

export interface SuitePlan {
  readonly suite: ResolvedSuite;
  readonly seeds: readonly number[];
  /** teachers first (every seed), then the other rows, seed by seed */
  readonly tasks: readonly RunTask[];
  /** run ids by row (group + id) and seed */
  readonly byRow: ReadonlyMap<ResolvedRow, ReadonlyMap<number, RunTask>>;
}

/** Model seeds as in the first bench version: seed * 1000 + 1 for teachers, + 2 for students. */
export const modelSeedOf = (seed: number, role: 'teacher' | 'student'): number => seed * 1000 + (role === 'teacher' ? 1 : 2);

export interface PlanOptions {
  readonly seeds?: readonly number[];
  /** folder for the suite's artefacts (teacher models, charts) */
  readonly artefacts: string;
}

function configOf(row: ResolvedRow, suite: ResolvedSuite, seed: number, teacher: RunConfig['teacher']): RunConfig {
  const { spec } = suite;
  return {
    format: 1,
    dataset: { name: spec.dataset.name, ...(spec.dataset.testLimit !== undefined ? { testLimit: spec.dataset.testLimit } : {}) },
    data: row.data,
    view: row.view,
    augmentation: row.augmentation,
    model: row.model,
    modelSeed: modelSeedOf(seed, row.kind === 'teacher' ? 'teacher' : 'student'),
    epochs: row.epochs,
    batchSize: spec.batchSize,
    optimizer: spec.optimizer,
    role: row.role,
    ...(row.method
      ? {
          method: {
            scheme: row.method.scheme,
            schemeOptions: row.method.schemeOptions,
            losses: row.method.losses,
            ...(row.method.alpha !== undefined ? { alpha: row.method.alpha } : {}),
            ...(row.method.classBias ? { classBias: row.method.classBias.offsets } : {}),
          },
        }
      : {}),
    ...(teacher ? { teacher } : {}),
    seed,
  };
}

/** Expands a suite into runs (rows x seeds) with their ids and teacher dependencies. */
export function planSuite(suite: ResolvedSuite, options: PlanOptions): SuitePlan {
  const seeds = options.seeds ?? suite.spec.seeds;
  const byRow = new Map<ResolvedRow, Map<number, RunTask>>();
  const teacherTasks: RunTask[] = [];
  const methodTasks: RunTask[] = [];
  const teacherRuns = new Map<string, RunTask>();
  for (const seed of seeds) {
    for (const row of suite.rows.filter((r) => r.kind === 'teacher')) {
      const config = configOf(row, suite, seed, undefined);
      const runId = runIdOf(config);
      const task: RunTask = {
        runId,
        suite: suite.spec.name,
        group: row.group,
        rowId: row.id,
        label: `${row.group ? `${row.group}: ` : ''}${row.id} seed ${seed}`,
        config,
        dependsOn: undefined,
        teacherFolder: undefined,
        saveFolder: join(options.artefacts, 'teachers', runId),
      };
      teacherTasks.push(task);
      teacherRuns.set(`${row.group}\u0000${row.id}\u0000${seed}`, task);
      byRow.set(row, (byRow.get(row) ?? new Map<number, RunTask>()).set(seed, task));
    }
  }
  for (const seed of seeds) {
    for (const row of suite.rows.filter((r) => r.kind === 'method')) {
      const teacherTask = row.teacher === undefined ? undefined : teacherRuns.get(`${row.teacher.group}\u0000${row.teacher.id}\u0000${seed}`);
      const teacherRow = suite.rows.find((r) => r.kind === 'teacher' && r.group === row.teacher?.group && r.id === row.teacher.id);
      const teacher = teacherTask && teacherRow ? { runId: teacherTask.runId, model: teacherRow.model, view: teacherRow.view, modelSeed: teacherTask.config.modelSeed } : undefined;
      const config = configOf(row, suite, seed, teacher);
      const task: RunTask = {
        runId: runIdOf(config),
        suite: suite.spec.name,
        group: row.group,
        rowId: row.id,
        label: `${row.group ? `${row.group}: ` : ''}${row.id} seed ${seed}`,
        config,
        dependsOn: teacherTask?.runId,
        teacherFolder: teacherTask?.saveFolder,
        saveFolder: undefined,
      };
      methodTasks.push(task);
      byRow.set(row, (byRow.get(row) ?? new Map<number, RunTask>()).set(seed, task));
    }
  }
  return { suite, seeds, tasks: [...teacherTasks, ...methodTasks], byRow };
}
