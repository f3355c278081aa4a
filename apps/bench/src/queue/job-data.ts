import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RunTask } from '../plan/plan-suite.js';
import { canonicalJson, type RunConfig } from '../plan/run-config.js';
import type { RunRecord } from '../runner/run-record.js';
import type { PackageVersions } from './versions.js';

/** The BullMQ job name of every run; the queue holds nothing else. */
export const RUN_JOB_NAME = 'run';

/**
 * `train` runs the task; `noop` trains nothing and answers at once, to measure the queue's own
 * overhead per run (enqueue to start, result to table).
 */
export type JobKind = 'train' | 'noop';

/**
 * Marks a string of the task that named a run's saved folder on the coordinator (a teacher's model,
 * the run an output row reads, the folder a run saves to). Paths mean nothing on another machine:
 * the worker swaps each marker for a local folder it fills from Redis (or, for the run's own
 * folder, uploads to Redis after the run).
 */
export const FOLDER_MARKER = 'distillery-run-folder:';

/** What a job carries: data only (registry names, hyper-parameters, seeds, run ids), never code or paths. */
export interface RunJobData {
  readonly format: 1;
  readonly kind: JobKind;
  /** the planned task with its folders replaced by markers; its config is passed through untouched */
  readonly task: RunTask;
  /** the versions the coordinator planned with; a worker with others refuses the job */
  readonly versions: PackageVersions;
  /** job ids of the runs whose saved folders this task reads, by run id */
  readonly folderJobs: Readonly<Record<string, string>>;
}

/** Progress a worker reports: at each epoch's end and at most every second in between. */
export interface RunJobProgress {
  readonly worker: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number | null;
}

/** What a finished job returns (stored by BullMQ as the job's return value). */
export interface RunJobResult {
  readonly format: 1;
  readonly record: RunRecord;
  /** the worker that ran it (host:pid) */
  readonly worker: string;
  /** Redis hash holding the run's saved folder (file name -> bytes), when the run saves one */
  readonly folderKey?: string;
  /** worker clock, ms since the epoch: processor entered and left (queue-overhead measurement) */
  readonly startedAt: number;
  readonly finishedAt: number;
}

/**
 * The job id of a run: its run id (a hash of the run's config: method, hyper-parameters, seed, data,
 * models, teachers) and a hash of the config together with the package versions and the job kind.
 * Adding a job whose id exists adds nothing, and a completed job stays completed, so enqueueing a
 * suite twice, from one machine or two, trains every run once.
 */
export function jobIdOf(runId: string, config: RunConfig, versions: PackageVersions, kind: JobKind): string {
  const digest = createHash('sha256').update(canonicalJson({ config, versions, kind })).digest('hex').slice(0, 16);
  return `${runId}-${digest}`;
}

const markerOf = (runId: string): string => `${FOLDER_MARKER}${runId}`;

/** Replaces every string of `value` found in `replace` (deeply, in plain JSON data). */
function replaceStrings<T>(value: T, replace: (text: string) => string | undefined): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return replace(node) ?? node;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(value) as T;
}

/**
 * A task as a job carries it: each saved-run folder of the plan (by path) becomes a marker naming the
 * run. The task is otherwise plain data and is passed through as planned, whatever fields it has.
 */
export function taskForJob(task: RunTask, savedFolders: ReadonlyMap<string, string>): RunTask {
  return replaceStrings(task, (text) => {
    const runId = savedFolders.get(text);
    return runId === undefined ? undefined : markerOf(runId);
  });
}

/** The run ids a job's task names by marker: the runs whose folders it reads, and its own. */
export function markedRuns(task: RunTask): string[] {
  const found = new Set<string>();
  replaceStrings(task, (text) => {
    if (text.startsWith(FOLDER_MARKER)) found.add(text.slice(FOLDER_MARKER.length));
    return undefined;
  });
  return [...found];
}

/** The task with each marker swapped for a local folder. */
export function taskWithFolders(task: RunTask, folders: ReadonlyMap<string, string>): RunTask {
  return replaceStrings(task, (text) => (text.startsWith(FOLDER_MARKER) ? folders.get(text.slice(FOLDER_MARKER.length)) : undefined));
}

const versionsSchema = z.record(z.string(), z.string());

/** The checks a worker makes before trusting a job's data; the config stays opaque (the run validates it). */
const jobDataSchema = z.object({
  format: z.literal(1),
  kind: z.enum(['train', 'noop']),
  task: z
    .object({
      runId: z.string().regex(/^[0-9a-f]{16}$/),
      suite: z.string(),
      label: z.string(),
      config: z.record(z.string(), z.unknown()),
    })
    .loose(),
  versions: versionsSchema,
  folderJobs: z.record(z.string(), z.string()),
});

/** Parses a job's data; throws with the first problem when it is not a run job of this format. */
export function parseJobData(data: unknown): RunJobData {
  const parsed = jobDataSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`job data is not a distillery-bench run (format 1): ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data as unknown as RunJobData;
}

const resultSchema = z.object({
  format: z.literal(1),
  record: z.object({ runId: z.string() }).loose(),
  worker: z.string(),
  folderKey: z.string().optional(),
  startedAt: z.number(),
  finishedAt: z.number(),
});

/** Parses a completed job's return value. */
export function parseJobResult(value: unknown): RunJobResult {
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) throw new Error(`a job returned something that is not a distillery-bench result: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as unknown as RunJobResult;
}
