import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { BackendName, Registry } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import { runIdOf, type RunConfig } from '../plan/run-config.js';
import { createRegistry } from '../registry.js';
import type { Executor } from '../runner/executor.js';
import { inlineExecutor } from '../runner/inline-executor.js';
import { connectQueue, type ConnectOptions } from './connection.js';
import { downloadFolder, uploadFolder } from './folder-transfer.js';
import { jobIdOf, markedRuns, parseJobData, parseJobResult, taskWithFolders, type RunJobData, type RunJobProgress, type RunJobResult } from './job-data.js';
import { noopRecord } from './noop-record.js';
import { DEFAULT_QUEUE_NAME, filesKeyPrefix, QUEUE_PREFIX } from './queue-names.js';
import { repeatFilter } from './repeat-filter.js';
import { threadExecutor } from './thread-executor.js';
import { packageVersions, versionMismatches, type PackageVersions } from './versions.js';

export interface QueueWorkerOptions {
  /** redis:// or rediss:// URL (may hold a password; it is never printed) */
  readonly url: string;
  readonly queueName?: string;
  /** runs at once, each in its own worker thread; 0 runs one at a time in this thread (sources and tests: see lockDurationMs) */
  readonly threads: number;
  readonly backend?: BackendName;
  /**
   * How long a job stays claimed without a heartbeat (BullMQ's lock; default 30 s). A worker killed
   * mid-run loses its job to another worker after about this plus two stalled intervals. With
   * `threads: 0` training blocks this thread, so the lock must outlast the longest run.
   */
  readonly lockDurationMs?: number;
  /** how often this worker looks for jobs whose worker vanished (default 30 s) */
  readonly stalledIntervalMs?: number;
  /** times a job may lose its worker before it is failed (default 2: a run that kills workers is not retried forever) */
  readonly maxStalledCount?: number;
  /** least time between two progress reports of a run, besides one at each epoch's end (default 1 s) */
  readonly progressIntervalMs?: number;
  /** connection deadline and extra TLS options (see connectQueue) */
  readonly connect?: ConnectOptions;
  /** the methods this worker has (default: every plugin of the bench) */
  readonly registry?: Registry;
  /** the versions this worker has (default: the installed ones) */
  readonly versions?: PackageVersions;
  readonly log?: (line: string) => void;
}

export interface QueueWorker {
  /** host:pid, as shown on jobs and in the coordinator's progress */
  readonly name: string;
  readonly slots: number;
  /** stops taking jobs and waits for the runs in flight */
  close(): Promise<void>;
}

/** Registry names a run needs that `registry` lacks, as messages. */
export function missingMethods(config: RunConfig, registry: Registry): string[] {
  const method = config.method;
  if (!method) return [];
  const missing: string[] = [];
  if (!registry.hasScheme(method.scheme)) missing.push(`no scheme "${method.scheme}" (this worker has: ${registry.schemes().map((s) => s.name).join(', ')})`);
  for (const loss of method.losses) if (!registry.hasLoss(loss.name)) missing.push(`no loss "${loss.name}" (this worker has: ${registry.losses().map((l) => l.name).join(', ')})`);
  return missing;
}

/**
 * Pulls runs from the queue and trains them: checks the job (data shape, id, versions, methods),
 * fetches the saved folders it reads (teachers) from Redis, trains in a worker thread while BullMQ
 * keeps the job's lock alive, reports progress, uploads the run's own saved folder, and returns the
 * record. A run that fails by its own fault fails the job for good (UnrecoverableError); a refused
 * job says why on the job.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const log = options.log ?? (() => {});
  const name = `${hostname()}:${process.pid}`;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const registry = options.registry ?? createRegistry();
  const versions = options.versions ?? packageVersions();
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const connection = await connectQueue(options.url, options.connect);
  const scratch = await mkdtemp(join(tmpdir(), 'distillery-bench-worker-'));
  let executor: Executor;
  try {
    executor =
      options.threads === 0
        ? inlineExecutor({ backend: options.backend, resultsFile: join(scratch, 'results.jsonl') })
        : await threadExecutor({ threads: options.threads, backend: options.backend, resultsFile: join(scratch, 'results.jsonl') });
  } catch (error) {
    await connection.close();
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  const files = connection.client('files');
  const queueError = repeatFilter((message) => log(`queue error: ${message}`));
  const lookup = new Queue(queueName, { connection: connection.client('lookup'), prefix: QUEUE_PREFIX });
  lookup.on('error', (error) => queueError(error.message));
  // Saved folders downloaded for the runs in flight, by job id, with how many runs use each: a folder
  // is deleted when its last user finishes, so a long-lived worker keeps no pile of teachers on disk.
  const fetched = new Map<string, { folder: Promise<string>; users: number }>();
  let downloads = 0;

  /** The saved folder of a completed job, downloaded once for all the runs in flight that read it. */
  const acquireFolder = (jobId: string, runId: string): Promise<string> => {
    let entry = fetched.get(jobId);
    if (!entry) {
      const folder = (async () => {
        const job = await Job.fromId(lookup, jobId);
        const state = job ? await job.getState() : 'missing';
        if (!job || state !== 'completed') throw new Error(`run ${runId}, which this run needs, is ${state} in the queue, not completed`);
        const result = parseJobResult(job.returnvalue);
        if (!result.folderKey) throw new Error(`run ${runId}, which this run needs, saved no folder`);
        // A fresh folder per download: an earlier copy of the same job's folder may still be being deleted.
        const local = join(scratch, 'in', `${jobId}-${(downloads += 1)}`);
        await downloadFolder(files, result.folderKey, local);
        return local;
      })();
      entry = { folder, users: 0 };
      fetched.set(jobId, entry);
    }
    entry.users += 1;
    return entry.folder;
  };
  const releaseFolder = (jobId: string): void => {
    const entry = fetched.get(jobId);
    if (!entry || --entry.users > 0) return;
    fetched.delete(jobId);
    void entry.folder.then((folder) => rm(folder, { recursive: true, force: true })).catch(() => {});
  };

  const refuse = (reason: string): UnrecoverableError => new UnrecoverableError(`refused by worker ${name}: ${reason}`);

  const processJob = async (job: Job, token?: string): Promise<RunJobResult> => {
    const startedAt = Date.now();
    let data: RunJobData;
    try {
      data = parseJobData(job.data);
    } catch (error) {
      throw refuse(error instanceof Error ? error.message : String(error));
    }
    const { task } = data;
    const mismatches = versionMismatches(data.versions, versions);
    if (mismatches.length > 0) throw refuse(`package versions differ: ${mismatches.join('; ')} (run workers with the coordinator's versions)`);
    if (runIdOf(task.config) !== task.runId) throw refuse(`run id ${task.runId} does not match the run's config`);
    if (job.id !== jobIdOf(task.runId, task.config, data.versions, data.kind)) throw refuse(`job id ${job.id ?? '?'} does not match the job's data`);
    if (data.kind === 'noop') return { format: 1, record: noopRecord(task, new Date(startedAt)), worker: name, startedAt, finishedAt: Date.now() };
    const missing = missingMethods(task.config, registry);
    if (missing.length > 0) throw refuse(`${task.label} needs ${missing.join('; ')}`);

    const folders = new Map<string, string>();
    const own = join(scratch, 'out', `${job.id ?? task.runId}-${token ?? 'x'}`);
    const acquired: string[] = [];
    try {
      for (const runId of markedRuns(task)) {
        if (runId === task.runId) {
          folders.set(runId, own);
          continue;
        }
        const jobId = data.folderJobs[runId];
        if (jobId === undefined) throw refuse(`the job names no job for run ${runId}, whose saved folder the run reads`);
        acquired.push(jobId);
        folders.set(runId, await acquireFolder(jobId, runId));
      }
      return await train(job, data, taskWithFolders(task, folders), own, token, startedAt);
    } finally {
      for (const jobId of acquired) releaseFolder(jobId);
    }
  };

  /** Trains a checked job's task (folders local), uploads what it saved, and returns the job's result. */
  const train = async (job: Job, data: RunJobData, local: RunTask, own: string, token: string | undefined, startedAt: number): Promise<RunJobResult> => {
    const { task } = data;
    log(`start ${task.label} (job ${job.id ?? '?'})`);
    let lastSent = 0;
    let record;
    try {
      record = await executor.run(local, (step, totalSteps, loss) => {
        const epochEnd = task.config.epochs > 0 && step % Math.max(1, Math.round(totalSteps / task.config.epochs)) === 0;
        const now = Date.now();
        if (!epochEnd && step !== totalSteps && now - lastSent < progressIntervalMs) return;
        lastSent = now;
        const progress: RunJobProgress = { worker: name, step, totalSteps, loss: loss ?? null };
        job.updateProgress({ ...progress }).catch((error: unknown) => log(`could not report progress of ${task.label}: ${error instanceof Error ? error.message : String(error)}`));
      });
    } catch (error) {
      // The run's own fault (bad config, NaN loss, a thread that died on it): retrying gives the same.
      await rm(own, { recursive: true, force: true });
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    let folderKey: string | undefined;
    if (existsSync(own)) {
      folderKey = `${filesKeyPrefix(queueName)}:${job.id ?? task.runId}:${token ?? 'x'}`;
      await uploadFolder(files, folderKey, own);
      await rm(own, { recursive: true, force: true });
    }
    return { format: 1, record, worker: name, ...(folderKey ? { folderKey } : {}), startedAt, finishedAt: Date.now() };
  };

  const worker = new Worker(queueName, processJob, {
    connection: connection.client('worker'),
    prefix: QUEUE_PREFIX,
    name,
    concurrency: executor.slots,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    autorun: false,
  });
  worker.on('error', (error) => queueError(error.message));
  worker.on('completed', (job) => log(`done ${(job.data as Partial<RunJobData>).task?.label ?? job.id} (job ${job.id})`));
  worker.on('failed', (job, error) => log(`failed ${(job?.data as Partial<RunJobData> | undefined)?.task?.label ?? job?.id ?? '?'}: ${error.message}`));
  await worker.waitUntilReady();
  log(`worker ${name}: ${executor.slots} run(s) at once, queue "${queueName}" on ${connection.target.redacted}; waiting for runs`);
  worker.run().catch((error: unknown) => queueError(error instanceof Error ? error.message : String(error)));

  return {
    name,
    slots: executor.slots,
    async close() {
      await worker.close();
      await lookup.close();
      await executor.close();
      await connection.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
