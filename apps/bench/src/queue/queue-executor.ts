import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { MODEL_JSON_FILE } from '@distillery/core/node';
import type { RunTask } from '../plan/plan-suite.js';
import { RunFailureError, type Executor, type ProgressCallback } from '../runner/executor.js';
import type { RunRecord } from '../runner/run-record.js';
import type { QueueConnection } from './connection.js';
import { downloadFolder } from './folder-transfer.js';
import { jobIdOf, markedRuns, parseJobResult, RUN_JOB_NAME, taskForJob, type JobKind, type RunJobData, type RunJobProgress } from './job-data.js';
import type { RunTiming } from './overhead.js';
import { QUEUE_PREFIX } from './queue-names.js';
import type { PackageVersions } from './versions.js';

/** What the coordinator hears about a run besides its result. */
export type QueueRunEvent =
  | { readonly type: 'active'; readonly task: RunTask }
  | { readonly type: 'progress'; readonly task: RunTask; readonly progress: RunJobProgress }
  | { readonly type: 'stalled'; readonly task: RunTask }
  | { readonly type: 'retried'; readonly task: RunTask; readonly reason: string }
  | { readonly type: 'reused'; readonly task: RunTask; readonly worker: string }
  /** Redis trouble (a lost connection is retried for as long as it takes) */
  | { readonly type: 'error'; readonly message: string };

export interface QueueExecutorOptions {
  readonly connection: QueueConnection;
  readonly queueName: string;
  readonly kind: JobKind;
  readonly versions: PackageVersions;
  /** every task of the plan: dependencies name other tasks' folders and jobs */
  readonly plan: readonly RunTask[];
  /** the results file, to record saved folders relative to it as an in-process run does */
  readonly resultsFile: string;
  /** how often runs without news are looked up in Redis, should an event be lost (default 5 s) */
  readonly pollIntervalMs?: number;
  readonly onEvent?: (event: QueueRunEvent) => void;
}

export interface QueueExecutor extends Executor {
  readonly jobIdOf: (task: RunTask) => string;
  /** timings of the runs this invocation received from workers (not those found finished) */
  readonly timings: Map<string, RunTiming>;
  /** the workers that ran this invocation's runs */
  workers(): string[];
}

interface Waiter {
  readonly task: RunTask;
  readonly onProgress: ProgressCallback;
  readonly resolve: (record: RunRecord) => void;
  readonly reject: (error: Error) => void;
  readonly enqueuedAt: number;
  /** the job is in the queue (added, or retried): from then on the safety-net poll may look it up */
  queued: boolean;
  settling: boolean;
}

/** Runs a suite's tasks as BullMQ jobs; "running" a task means adding its job and awaiting the result. */
export async function queueExecutor(options: QueueExecutorOptions): Promise<QueueExecutor> {
  const { connection, queueName, kind, versions } = options;
  const byRunId = new Map(options.plan.map((t) => [t.runId, t]));
  const savedFolders = new Map(options.plan.filter((t) => t.saveFolder !== undefined).map((t) => [t.saveFolder!, t.runId]));
  const jobIds = new Map<string, string>();
  const idOf = (task: RunTask): string => {
    let id = jobIds.get(task.runId);
    if (id === undefined) jobIds.set(task.runId, (id = jobIdOf(task.runId, task.config, versions, kind)));
    return id;
  };
  // Completed and failed jobs are kept: a finished run is never redone, and its record (the return
  // value) is what a restarted coordinator collects.
  const queue = new Queue(queueName, { connection: connection.client('queue'), prefix: QUEUE_PREFIX, defaultJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false } });
  const events = new QueueEvents(queueName, { connection: connection.client('events'), prefix: QUEUE_PREFIX });
  const files = connection.client('files');
  const emit = (event: QueueRunEvent): void => options.onEvent?.(event);
  queue.on('error', (error) => emit({ type: 'error', message: error.message }));
  events.on('error', (error) => emit({ type: 'error', message: error.message }));
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);

  const waiters = new Map<string, Waiter>();
  const timings = new Map<string, RunTiming>();
  const workers = new Set<string>();

  const settle = async (jobId: string, returnvalue: unknown, reused: boolean): Promise<void> => {
    const waiter = waiters.get(jobId);
    if (!waiter || waiter.settling) return;
    waiter.settling = true;
    const { task } = waiter;
    try {
      const result = parseJobResult(returnvalue);
      if (result.record.runId !== task.runId) throw new Error(`job ${jobId} returned the record of run ${result.record.runId}`);
      if (task.saveFolder !== undefined) {
        if (result.folderKey) await downloadFolder(files, result.folderKey, task.saveFolder);
        else if (kind === 'noop') await placeholderFolder(task.saveFolder);
        else throw new Error(`run ${task.label} should have saved its model, but its job holds no folder`);
      }
      workers.add(result.worker);
      if (reused) emit({ type: 'reused', task, worker: result.worker });
      else timings.set(task.runId, { enqueuedAt: waiter.enqueuedAt, startedAt: result.startedAt, finishedAt: result.finishedAt });
      waiters.delete(jobId);
      // Saved folders are recorded relative to the results file, as by an in-process run.
      waiter.resolve(task.saveFolder !== undefined ? { ...result.record, savedModel: relative(dirname(options.resultsFile), task.saveFolder) } : result.record);
    } catch (error) {
      waiters.delete(jobId);
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const fail = (jobId: string, reason: string): void => {
    const waiter = waiters.get(jobId);
    if (!waiter || waiter.settling) return;
    waiters.delete(jobId);
    waiter.reject(new RunFailureError(waiter.task, { message: reason, code: undefined }));
  };

  events.on('active', ({ jobId }) => {
    const waiter = waiters.get(jobId);
    if (waiter) emit({ type: 'active', task: waiter.task });
  });
  events.on('progress', ({ jobId, data }) => {
    const waiter = waiters.get(jobId);
    if (!waiter || typeof data !== 'object' || data === null) return;
    const progress = data as RunJobProgress;
    workers.add(progress.worker);
    // Listeners first: a run already running when this coordinator started shows up at its first report.
    emit({ type: 'progress', task: waiter.task, progress });
    waiter.onProgress(progress.step, progress.totalSteps, progress.loss ?? undefined);
  });
  events.on('stalled', ({ jobId }) => {
    const waiter = waiters.get(jobId);
    if (waiter) emit({ type: 'stalled', task: waiter.task });
  });
  events.on('completed', ({ jobId, returnvalue }) => void settle(jobId, returnvalue, false));
  events.on('failed', ({ jobId, failedReason }) => fail(jobId, failedReason));

  /**
   * Collects a run an earlier invocation (or another coordinator) already finished, retries one that
   * failed then (running a suite again retries its failed runs, as in-process), and otherwise adds
   * the job: a no-op when a job with this id is already waiting or running.
   */
  const enqueue = async (task: RunTask, jobId: string): Promise<void> => {
    const before = await queue.getJobState(jobId);
    if (before === 'completed' || before === 'failed') {
      const job = await queue.getJob(jobId);
      if (job && before === 'completed') return settle(jobId, job.returnvalue, true);
      if (job) {
        emit({ type: 'retried', task, reason: job.failedReason });
        await job.retry('failed');
        markQueued(jobId);
        return;
      }
    }
    const jobTask = taskForJob(task, savedFolders);
    const folderJobs: Record<string, string> = {};
    for (const runId of markedRuns(jobTask)) {
      const needed = byRunId.get(runId);
      if (runId !== task.runId && needed) folderJobs[runId] = idOf(needed);
    }
    const data: RunJobData = { format: 1, kind, task: jobTask, versions, folderJobs };
    await queue.add(RUN_JOB_NAME, data, { jobId });
    markQueued(jobId);
    await check(jobId);
  };
  const markQueued = (jobId: string): void => {
    const waiter = waiters.get(jobId);
    if (waiter) waiter.queued = true;
  };

  /** Settles a waiter whose job finished (events do this; this is for runs whose event was missed). */
  const check = async (jobId: string): Promise<void> => {
    // State first, then the job: a job read before its state could be stale (active, no result yet).
    const state = await queue.getJobState(jobId);
    if (!waiters.has(jobId) || (state !== 'completed' && state !== 'failed' && state !== 'unknown')) return;
    const job = await queue.getJob(jobId);
    if (state === 'unknown' || !job) fail(jobId, `job ${jobId} disappeared from the queue (removed by hand?); run again to enqueue it anew`);
    else if (state === 'completed') await settle(jobId, job.returnvalue, false);
    else fail(jobId, job.failedReason);
  };

  // Safety net: events are delivered through a Redis stream and should not be lost, but a waiter
  // is looked up now and then in case one was (a trimmed stream, a long disconnect).
  let cursor = 0;
  const poll = setInterval(() => {
    const pending = [...waiters.entries()].filter(([, w]) => w.queued && !w.settling);
    if (pending.length === 0) return;
    const batch = Array.from({ length: Math.min(50, pending.length) }, (_, i) => pending[(cursor + i) % pending.length]!);
    cursor = (cursor + batch.length) % Math.max(1, pending.length);
    for (const [jobId] of batch) void check(jobId).catch(() => {});
  }, options.pollIntervalMs ?? 5000);

  return {
    slots: Number.MAX_SAFE_INTEGER,
    jobIdOf: idOf,
    timings,
    workers: () => [...workers].sort(),
    run(task: RunTask, onProgress: ProgressCallback): Promise<RunRecord> {
      const jobId = idOf(task);
      const enqueuedAt = Date.now();
      return new Promise<RunRecord>((resolve, reject) => {
        waiters.set(jobId, { task, onProgress, resolve, reject, enqueuedAt, queued: false, settling: false });
        enqueue(task, jobId).catch((error: unknown) => {
          waiters.delete(jobId);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      });
    },
    backends: () => [],
    async close() {
      clearInterval(poll);
      await events.close();
      await queue.close();
    },
  };
}

/** Noop teacher runs save nothing; their dependents (also noop) only need the folder to exist. */
async function placeholderFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, MODEL_JSON_FILE), '{}\n');
}
