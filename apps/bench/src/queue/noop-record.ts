import type { RunTask } from '../plan/plan-suite.js';
import type { RunRecord } from '../runner/run-record.js';

const NOTHING = { accuracy: 0, errors: 0, nll: 0, ece: 0, count: 0 } as const;

/**
 * The record of a `noop` job: the run's identity with every measurement zero. Only the queue-overhead
 * measurement (`run --queue ... --noop`) makes such jobs, and it writes them to their own results file.
 */
export function noopRecord(task: RunTask, startedAt: Date): RunRecord {
  const at = startedAt.toISOString();
  return {
    format: 1,
    runId: task.runId,
    suite: task.suite,
    group: task.group,
    row: task.rowId,
    role: task.config.role,
    seed: task.config.seed,
    config: task.config,
    backend: { requested: 'noop', selected: 'cpu', tfBackend: 'none' },
    startedAt: at,
    finishedAt: at,
    trainSize: 0,
    testSize: 0,
    epochs: [],
    best: { epoch: -1, accuracy: 0, errors: 0 },
    last: NOTHING,
    reliability: [],
    params: { model: 0, extra: 0 },
    trainSeconds: 0,
    wallSeconds: 0,
    samplesPerSecond: 0,
  };
}
