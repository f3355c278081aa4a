import { setMaxListeners } from 'node:events';
import { stepsPerEpoch } from '../data/suite-data.js';
import { planSuite, type RunTask } from '../plan/plan-suite.js';
import { outputPaths, writeReport } from '../report/write-report.js';
import { ProgressTracker, silentProgress, type ProgressSink } from '../runner/progress.js';
import { ResultsStore } from '../runner/results-store.js';
import type { SuiteRunResult } from '../runner/run-suite.js';
import { isDone, schedule, type ScheduleOutcome } from '../runner/scheduler.js';
import type { ResolvedSuite } from '../suites/resolve.js';
import { connectQueue, type ConnectOptions } from './connection.js';
import { queueOverhead, type QueueOverhead } from './overhead.js';
import { queueExecutor, type QueueExecutor, type QueueRunEvent } from './queue-executor.js';
import { DEFAULT_QUEUE_NAME } from './queue-names.js';
import { repeatFilter } from './repeat-filter.js';
import { packageVersions, type PackageVersions } from './versions.js';

export interface QueueRunOptions {
  /** redis:// or rediss:// URL; it may hold a password, which is never written anywhere */
  readonly url: string;
  readonly queueName?: string;
  /** folder for results and reports, as for an in-process run */
  readonly outDir: string;
  readonly seeds?: readonly number[];
  readonly progress?: ProgressSink;
  /** stops waiting (the jobs stay in the queue and go on; a new invocation collects them) */
  readonly signal?: AbortSignal;
  /**
   * Overhead measurement: jobs train nothing. Results and reports go to `<suite>.queue-noop.*`
   * beside the real ones, never into them.
   */
  readonly noop?: boolean;
  /** connection deadline and extra TLS options (see connectQueue) */
  readonly connect?: ConnectOptions;
  readonly pollIntervalMs?: number;
  /** the versions jobs are stamped with (default: the installed ones); tests use it to fake an upgrade */
  readonly versions?: PackageVersions;
  readonly onEvent?: (event: QueueRunEvent) => void;
}

export interface QueueSuiteRunResult extends SuiteRunResult {
  readonly queue: {
    /** the Redis URL without password, and the queue name */
    readonly server: string;
    readonly queueName: string;
    /** the workers (host:pid) that ran this invocation's runs */
    readonly workers: readonly string[];
    readonly overhead: QueueOverhead;
  };
}

/**
 * `run --queue`: plans the suite, enqueues every run the results file lacks as a BullMQ job (runs that
 * need a teacher once the teacher's run is done, as in-process), and appends each result a worker
 * returns to the same JSON-lines results file, then writes the same reports. The in-process
 * scheduler does the ordering; only the executor differs.
 */
export async function runSuiteOnQueue(suite: ResolvedSuite, options: QueueRunOptions): Promise<QueueSuiteRunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const noop = options.noop ?? false;
  const paths = outputPaths(options.outDir, noop ? `${suite.spec.name}.queue-noop` : suite.spec.name);
  const plan = planSuite(suite, { artefacts: paths.artefacts, ...(options.seeds ? { seeds: options.seeds } : {}) });
  // Connect before opening anything: an unreachable Redis fails within seconds and leaves no files.
  const connection = await connectQueue(options.url, options.connect);
  const progress = options.progress ?? silentProgress;
  let store: Awaited<ReturnType<typeof ResultsStore.open>> | undefined;
  let executor: QueueExecutor | undefined;
  let outcome: ScheduleOutcome;
  try {
    store = await ResultsStore.open(paths.results);
    if (store.droppedBytes > 0) progress.log(`dropped a torn last line (${store.droppedBytes} bytes) from ${paths.results}; that run will be collected again`);
    const doneStore = store;
    const toDo = plan.tasks.filter((t) => !isDone(t, doneStore));
    // The bar counts training steps, as in-process; noop jobs have none, so count them as one each.
    const steps = new Map<string, number>(toDo.map((t) => [t.runId, noop ? 1 : t.config.epochs * stepsPerEpoch(t.config)]));
    const tracker = new ProgressTracker(progress);
    const shown = new Set<string>();
    const queueError = repeatFilter((message) => progress.log(`queue error: ${message}`));
    executor = await queueExecutor({
      connection,
      queueName,
      kind: noop ? 'noop' : 'train',
      versions: options.versions ?? packageVersions(),
      plan: plan.tasks,
      resultsFile: paths.results,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      onEvent: (event) => {
        if (event.type === 'active' || (event.type === 'progress' && !shown.has(event.task.runId))) {
          shown.add(event.task.runId);
          tracker.start(event.task.runId, event.task.label);
        } else if (event.type === 'stalled') progress.log(`${event.task.label}: its worker stopped answering; the queue hands the run to another worker`);
        else if (event.type === 'retried') progress.log(`${event.task.label} failed in an earlier invocation (${event.reason}); trying it again`);
        else if (event.type === 'error') queueError(event.message);
        options.onEvent?.(event);
      },
    });
    const queued = executor;
    // The scheduler adds an abort listener each time it waits; with every run in flight at once
    // that is one per finished run, which is expected here, not a leak worth a warning.
    if (options.signal) setMaxListeners(0, options.signal);
    progress.start([...steps.values()].reduce((a, b) => a + b, 0), toDo.length);
    const finish = (task: RunTask): void => tracker.finish(task.runId, steps.get(task.runId) ?? 0);
    outcome = await schedule(
      plan.tasks,
      queued,
      doneStore,
      {
        onProgress: (task, step, _total, loss) => tracker.step(task.runId, step, loss),
        onDone: (task) => {
          const timing = queued.timings.get(task.runId);
          if (timing) timing.appendedAt = Date.now();
          finish(task);
        },
        onFailed: (task, error) => {
          finish(task);
          progress.log(`run failed: ${task.label}: ${error.message}`);
        },
        onSkipped: (task, reason) => progress.log(`run skipped: ${task.label}: ${reason}`),
      },
      options.signal,
    );
    if (options.signal?.aborted) progress.log('stopped waiting: the workers go on with the queued runs; run the same command again to collect them');
  } finally {
    progress.stop();
    await executor?.close();
    await store?.close();
    await connection.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const workers = executor.workers();
  const computed = outcome.computed.map((t) => store.get(t.runId)).filter((r) => r !== undefined);
  const backends = [...new Set(computed.map((r) => r.backend.selected))];
  const report = await writeReport(plan, store.all(), paths, { startedAt, wallSeconds, workers: workers.length, backends });
  return {
    plan,
    paths,
    outcome,
    report,
    workers: workers.length,
    wallSeconds,
    interrupted: options.signal?.aborted ?? false,
    queue: { server: connection.target.redacted, queueName, workers, overhead: queueOverhead([...executor.timings.values()]) },
  };
}
