import { join } from 'node:path';
import type { ResolvedRow, ResolvedSuite, RowRef } from '../suites/resolve.js';
import { runIdOf, type RunConfig, type TeacherEntry } from './run-config.js';
import { datasetConfigOf, isTextConfig, tokenizerFileName } from '../text/text-config.js';

/** One unit of work: one row of the report for one seed. Plain JSON data (it travels to workers and queues). */
export interface RunTask {
  readonly runId: string;
  readonly suite: string;
  readonly group: string;
  readonly rowId: string;
  /** "KD (T=4) seed 2", for progress lines and messages */
  readonly label: string;
  readonly config: RunConfig;
  /** the first of `dependencies` (a run with one teacher: that teacher's run) */
  readonly dependsOn: string | undefined;
  /** every run (same seed) that must be done first: its teachers and assistants, or the run an output row reads */
  readonly dependencies: readonly string[];
  /** the first of `teacherFolders` */
  readonly teacherFolder: string | undefined;
  /** where each teacher of the config (in `teacherEntries` order) was saved */
  readonly teacherFolders: readonly string[];
  /** runs whose model teaches another run, or whose other evaluation models are read by output rows, save here */
  readonly saveFolder: string | undefined;
  /** output rows: the folder of the run they read */
  readonly sourceFolder: string | undefined;
  /** method rows: where a grid of the run's training inputs goes when its scheme can show them (a SampleSource) */
  readonly samplesFile?: string;
  /** runs with initFrom: the folder of the run whose trained student this one starts from */
  readonly initFolder?: string;
  /** text suites: the suite's tokenizer (learned once from the training split, shared by every row) */
  readonly tokenizerFile?: string;
}

export interface SuitePlan {
  readonly suite: ResolvedSuite;
  readonly seeds: readonly number[];
  /** teachers first (every seed), then the other rows seed by seed, each after the runs it needs */
  readonly tasks: readonly RunTask[];
  /** run ids by row (group + id) and seed */
  readonly byRow: ReadonlyMap<ResolvedRow, ReadonlyMap<number, RunTask>>;
}

/** Model seeds as in the first bench version: seed * 1000 + 1 for teachers, + 2 for students. */
export const modelSeedOf = (seed: number, role: 'teacher' | 'student'): number => seed * 1000 + (role === 'teacher' ? 1 : 2);

/** Another initialisation of a row's architecture (`init: k`) adds 100 k; cohort peer i (from 1) adds 10 i. */
const INIT_STRIDE = 100;
const PEER_STRIDE = 10;

export interface PlanOptions {
  readonly seeds?: readonly number[];
  /** folder for the suite's artefacts (teacher models, charts) */
  readonly artefacts: string;
}

function configOf(row: ResolvedRow, suite: ResolvedSuite, seed: number, teachers: readonly TeacherEntry[]): RunConfig {
  const { spec } = suite;
  const modelSeed = modelSeedOf(seed, row.kind === 'teacher' ? 'teacher' : 'student') + INIT_STRIDE * row.init;
  return {
    format: 1,
    dataset: datasetConfigOf(spec.dataset),
    data: row.data,
    view: row.view,
    augmentation: row.augmentation,
    model: row.model,
    modelSeed,
    epochs: row.epochs,
    batchSize: spec.batchSize,
    ...(spec.evaluations !== undefined ? { evaluations: spec.evaluations } : {}),
    optimizer: row.method?.optimizer ?? spec.optimizer,
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
    ...(teachers.length === 1 ? { teacher: teachers[0] } : teachers.length > 1 ? { teachers } : {}),
    ...(row.peers.length > 0 ? { peers: row.peers.map((peer, i) => ({ model: peer.model, modelSeed: modelSeed + PEER_STRIDE * (i + 1) })) } : {}),
    ...(row.method?.syntheticSet ? { syntheticSet: { stepsPerEpoch: row.method.syntheticSet.stepsPerEpoch, ...(row.method.syntheticSet.noise ? { noise: row.method.syntheticSet.noise } : {}) } } : {}),
    seed,
  };
}

const keyOf = (ref: RowRef): string => `${ref.group}\u0000${ref.id}`;

/** <artefacts>/samples/<group-row>-seed<N>.png, the row's name reduced to letters, digits and dashes. */
export function samplesFileOf(artefacts: string, row: RowRef, seed: number): string {
  const slug = `${row.group ? `${row.group}-` : ''}${row.id}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'row';
  return join(artefacts, 'samples', `${slug}-seed${seed}.png`);
}
const labelOf = (row: ResolvedRow, seed: number): string => `${row.group ? `${row.group}: ` : ''}${row.id} seed ${seed}`;

/**
 * Expands a suite into runs (rows x seeds) with their ids and dependencies. A run's config holds its
 * teachers' run ids, so a row is planned after every row it learns from (chains of any length).
 */
export function planSuite(suite: ResolvedSuite, options: PlanOptions): SuitePlan {
  const seeds = options.seeds ?? suite.spec.seeds;
  const rowsByKey = new Map<string, ResolvedRow>();
  for (const row of suite.rows) if (row.kind !== 'output') rowsByKey.set(`${row.kind}\u0000${keyOf(row)}`, row);
  const referenced = (ref: RowRef): ResolvedRow => {
    const row = rowsByKey.get(`teacher\u0000${keyOf(ref)}`) ?? rowsByKey.get(`method\u0000${keyOf(ref)}`);
    if (!row) throw new Error(`suite ${suite.spec.name}: no row "${ref.id}" to plan (resolve the suite first)`);
    return row;
  };
  // Rows whose trained model another run loads: teachers, rows named as a teacher, rows with outputs.
  const saved = new Set<ResolvedRow>(suite.rows.filter((r) => r.kind === 'teacher'));
  for (const row of suite.rows) {
    for (const ref of row.kind === 'method' ? row.teachers : []) saved.add(referenced(ref));
    if (row.output) saved.add(referenced(row.output.of));
    if (row.initFrom) saved.add(referenced(row.initFrom));
  }
  const folderOf = (row: ResolvedRow, runId: string): string => join(options.artefacts, row.kind === 'teacher' ? 'teachers' : 'models', runId);

  const byRow = new Map<ResolvedRow, Map<number, RunTask>>();
  const teacherTasks: RunTask[] = [];
  const otherTasks: RunTask[] = [];
  const planned = new Map<string, RunTask>();

  const plan = (row: ResolvedRow, seed: number): RunTask => {
    const key = `${row.kind}\u0000${keyOf(row)}\u0000${seed}`;
    const done = planned.get(key);
    if (done) return done;
    let task: RunTask;
    if (row.output) {
      const source = plan(referenced(row.output.of), seed);
      const config: RunConfig = { ...source.config, evaluationModel: row.output.model };
      task = { runId: runIdOf(config), suite: suite.spec.name, group: row.group, rowId: row.id, label: labelOf(row, seed), config, dependsOn: source.runId, dependencies: [source.runId], teacherFolder: undefined, teacherFolders: [], saveFolder: undefined, sourceFolder: source.saveFolder };
    } else {
      const sources = row.teachers.map((ref) => ({ ref, row: referenced(ref), task: plan(referenced(ref), seed) }));
      const entries = sources.map(({ ref, row: source, task: t }): TeacherEntry => ({ runId: t.runId, model: source.model, view: source.view, modelSeed: t.config.modelSeed, ...(ref.blackBox ? { blackBox: true as const } : {}) }));
      // initFrom (TinyBERT's stage 2): the run depends on, and its id on, the run whose student it continues
      const init = row.initFrom ? plan(referenced(row.initFrom), seed) : undefined;
      const config: RunConfig = { ...configOf(row, suite, seed, entries), ...(init ? { initFrom: { runId: init.runId } } : {}) };
      const runId = runIdOf(config);
      const folders = sources.map(({ task: t }) => t.saveFolder ?? '');
      const dependencies = [...new Set([...sources.map(({ task: t }) => t.runId), ...(init ? [init.runId] : [])])];
      task = {
        runId,
        suite: suite.spec.name,
        group: row.group,
        rowId: row.id,
        label: labelOf(row, seed),
        config,
        dependsOn: dependencies[0],
        dependencies,
        teacherFolder: folders[0],
        teacherFolders: folders,
        saveFolder: saved.has(row) ? folderOf(row, runId) : undefined,
        sourceFolder: undefined,
        ...(row.kind === 'method' ? { samplesFile: samplesFileOf(options.artefacts, row, seed) } : {}),
        ...(init?.saveFolder ? { initFolder: init.saveFolder } : {}),
        ...(isTextConfig(config.dataset) ? { tokenizerFile: join(options.artefacts, tokenizerFileName(config.dataset)) } : {}),
      };
    }
    planned.set(key, task);
    (row.kind === 'teacher' ? teacherTasks : otherTasks).push(task);
    byRow.set(row, (byRow.get(row) ?? new Map<number, RunTask>()).set(seed, task));
    return task;
  };

  for (const seed of seeds) for (const row of suite.rows.filter((r) => r.kind === 'teacher')) plan(row, seed);
  for (const seed of seeds) for (const row of suite.rows.filter((r) => r.kind !== 'teacher')) plan(row, seed);
  return { suite, seeds, tasks: [...teacherTasks, ...otherTasks], byRow };
}
