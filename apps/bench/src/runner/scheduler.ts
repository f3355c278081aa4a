import { teacherSaved } from '../models/teacher-store.js';
import type { RunTask } from '../plan/plan-suite.js';
import type { Executor, ProgressCallback } from './executor.js';
import type { ResultsStore } from './results-store.js';
import type { RunRecord } from './run-record.js';

export interface ScheduleEvents {
  onStart?(task: RunTask): void;
  onProgress?(task: RunTask, step: number, totalSteps: number, loss: number | undefined): void;
  onDone?(task: RunTask, record: RunRecord): void;
  onFailed?(task: RunTask, error: Error): void;
  onSkipped?(task: RunTask, reason: string): void;
}

export interface ScheduleOutcome {
  /** runs found in the results and not recomputed */
  readonly reused: readonly RunTask[];
  readonly computed: readonly RunTask[];
  readonly failed: ReadonlyArray<{ readonly task: RunTask; readonly error: Error }>;
  /** runs not started because the teacher they need failed */
  readonly skipped: readonly RunTask[];
}

/** Every run a task waits for (its teachers, assistants, or the run an output row reads). */
const dependenciesOf = (task: RunTask): readonly string[] => task.dependencies ?? (task.dependsOn === undefined ? [] : [task.dependsOn]);

/** A run is done when its line is in the results and, for a teacher, its saved model is on disk. */
export function isDone(task: RunTask, store: Pick<ResultsStore, 'has'>): boolean {
  return store.has(task.runId) && (task.saveFolder === undefined || teacherSaved(task.saveFolder));
}

/**
 * Runs every task not yet in the results, as many at once as the executor has slots. A run starts
 * once every run it depends on is done; each finished run is appended to the results at once,
 * so an interruption loses only the runs in flight.
 */
export async function schedule(tasks: readonly RunTask[], executor: Executor, store: ResultsStore, events: ScheduleEvents = {}, signal?: AbortSignal): Promise<ScheduleOutcome> {
  const byId = new Map(tasks.map((t) => [t.runId, t]));
  const reused = tasks.filter((t) => isDone(t, store));
  const pending = tasks.filter((t) => !isDone(t, store));
  const computed: RunTask[] = [];
  const failed: Array<{ task: RunTask; error: Error }> = [];
  const skipped: RunTask[] = [];
  const failedIds = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const dependencyDone = (task: RunTask): boolean =>
    dependenciesOf(task).every((id) => {
      const needed = byId.get(id);
      return needed !== undefined && isDone(needed, store);
    });

  // one abort listener for the whole schedule (one per wait would pile up on suites of many runs)
  const stopped = signal ? aborted(signal) : undefined;
  while ((pending.length > 0 || running.size > 0) && !signal?.aborted) {
    for (let i = pending.length - 1; i >= 0; i--) {
      const task = pending[i]!;
      if (dependenciesOf(task).some((id) => failedIds.has(id))) {
        pending.splice(i, 1);
        skipped.push(task);
        failedIds.add(task.runId);
        events.onSkipped?.(task, 'its teacher run failed');
      }
    }
    while (running.size < executor.slots && !signal?.aborted) {
      const index = pending.findIndex(dependencyDone);
      if (index < 0) break;
      const task = pending.splice(index, 1)[0]!;
      events.onStart?.(task);
      const onProgress: ProgressCallback = (step, total, loss) => events.onProgress?.(task, step, total, loss);
      const flight = executor
        .run(task, onProgress)
        .then(
          async (record) => {
            await store.append(record);
            computed.push(task);
            events.onDone?.(task, record);
          },
          (error: unknown) => {
            const failure = error instanceof Error ? error : new Error(String(error));
            failedIds.add(task.runId);
            failed.push({ task, error: failure });
            events.onFailed?.(task, failure);
          },
        )
        .finally(() => running.delete(task.runId));
      running.set(task.runId, flight);
    }
    if (running.size === 0) {
      // Nothing runs and nothing can start: the remaining runs wait on teachers outside the plan.
      for (const task of pending.splice(0)) {
        skipped.push(task);
        events.onSkipped?.(task, 'its teacher run is not part of this plan');
      }
      break;
    }
    await Promise.race([...running.values(), ...(stopped ? [stopped] : [])]);
  }
  return { reused, computed, failed, skipped };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
