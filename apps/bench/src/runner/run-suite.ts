import { availableParallelism } from 'node:os';
import type { BackendName } from '@distillery/core';
import { stepsPerEpoch } from '../data/suite-data.js';
import { prepareTextData } from '../text/text-data.js';
import { planSuite, type RunTask, type SuitePlan } from '../plan/plan-suite.js';
import { outputPaths, writeReport, type OutputPaths, type WrittenReport } from '../report/write-report.js';
import type { ResolvedSuite } from '../suites/resolve.js';
import type { Executor } from './executor.js';
import { inlineExecutor } from './inline-executor.js';
import { ProgressTracker, silentProgress, type ProgressSink } from './progress.js';
import { ResultsStore } from './results-store.js';
import { isDone, schedule, type ScheduleOutcome } from './scheduler.js';
import { workerPool } from './worker-pool.js';

export interface RunSuiteOptions {
  /** folder for results and reports */
  readonly outDir: string;
  /** worker threads; 0 runs everything in this thread. Default: one per core */
  readonly workers?: number;
  readonly backend?: BackendName;
  readonly seeds?: readonly number[];
  readonly progress?: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface SuiteRunResult {
  readonly plan: SuitePlan;
  readonly paths: OutputPaths;
  readonly outcome: ScheduleOutcome;
  readonly report: WrittenReport;
  readonly workers: number;
  readonly wallSeconds: number;
  /** true when the signal stopped the run before every run finished */
  readonly interrupted: boolean;
}

/** Default worker count: one per core. */
export const defaultWorkers = (): number => availableParallelism();

/**
 * Runs every (row, seed) of a suite that the results file does not hold yet, in parallel worker
 * threads, appending each finished run to the results file; then rebuilds the reports from it.
 */
export async function runSuite(suite: ResolvedSuite, options: RunSuiteOptions): Promise<SuiteRunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const paths = outputPaths(options.outDir, suite.spec.name);
  const plan = planSuite(suite, { artefacts: paths.artefacts, ...(options.seeds ? { seeds: options.seeds } : {}) });
  const store = await ResultsStore.open(paths.results);
  const progress = options.progress ?? silentProgress;
  if (store.droppedBytes > 0) progress.log(`dropped a torn last line (${store.droppedBytes} bytes) from ${paths.results}; that run will be redone`);
  const toDo = plan.tasks.filter((t) => !isDone(t, store));
  // text suites: learn the suite's tokenizer once (written atomically) and encode the data before workers start
  for (const task of toDo) await prepareTextData(task.config, task.tokenizerFile);
  const steps = new Map<string, number>(toDo.map((t) => [t.runId, t.config.epochs * stepsPerEpoch(t.config)]));
  const workers = toDo.length === 0 ? 0 : Math.min(options.workers ?? defaultWorkers(), toDo.length);
  const backend = options.backend ?? (suite.spec.backend as BackendName | undefined);
  let executor: Executor | undefined;
  let outcome: ScheduleOutcome;
  try {
    if (toDo.length > 0) {
      executor = workers === 0 || options.workers === 0 ? inlineExecutor({ backend, resultsFile: paths.results }) : await workerPool({ workers, backend, resultsFile: paths.results });
    }
    const tracker = new ProgressTracker(progress);
    progress.start([...steps.values()].reduce((a, b) => a + b, 0), toDo.length);
    const finish = (task: RunTask): void => tracker.finish(task.runId, steps.get(task.runId) ?? 0);
    outcome = executor
      ? await schedule(
          plan.tasks,
          executor,
          store,
          {
            onStart: (task) => tracker.start(task.runId, task.label),
            onProgress: (task, step, _total, loss) => tracker.step(task.runId, step, loss),
            onDone: finish,
            onFailed: (task, error) => {
              finish(task);
              progress.log(`run failed: ${task.label}: ${error.message}`);
            },
            onSkipped: (task, reason) => progress.log(`run skipped: ${task.label}: ${reason}`),
          },
          options.signal,
        )
      : { reused: plan.tasks.filter((t) => isDone(t, store)), computed: [], failed: [], skipped: [] };
  } finally {
    progress.stop();
    await executor?.close();
    await store.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const backends = [...new Set((executor?.backends() ?? []).map((b) => b.name))];
  const report = await writeReport(plan, store.all(), paths, { startedAt, wallSeconds, workers: executor ? executor.slots : undefined, backends });
  return { plan, paths, outcome, report, workers: executor?.slots ?? 0, wallSeconds, interrupted: options.signal?.aborted ?? false };
}

/** Rebuilds the reports of a suite from its results file, training nothing. */
export async function rebuildReport(suite: ResolvedSuite, options: { readonly outDir: string; readonly seeds?: readonly number[] }): Promise<{ plan: SuitePlan; paths: OutputPaths; report: WrittenReport }> {
  const paths = outputPaths(options.outDir, suite.spec.name);
  const plan = planSuite(suite, { artefacts: paths.artefacts, ...(options.seeds ? { seeds: options.seeds } : {}) });
  const { records } = await ResultsStore.read(paths.results);
  const report = await writeReport(plan, records, paths, { startedAt: new Date().toISOString(), wallSeconds: undefined, workers: undefined, backends: [] });
  return { plan, paths, report };
}
