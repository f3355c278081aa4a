import type { BackendChoice, BackendName } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import type { RunRecord } from './run-record.js';

/** What a worker thread is started with. */
export interface WorkerSetup {
  readonly backend: BackendName | undefined;
  readonly blasThreads: number;
  readonly resultsFile: string;
}

export type ToWorker = { readonly type: 'run'; readonly task: RunTask };

export interface RunFailure {
  readonly message: string;
  readonly code: string | undefined;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: BackendChoice }
  | { readonly type: 'setup-failed'; readonly error: RunFailure }
  | { readonly type: 'progress'; readonly runId: string; readonly step: number; readonly totalSteps: number; readonly loss: number | undefined }
  | { readonly type: 'done'; readonly runId: string; readonly record: RunRecord }
  | { readonly type: 'failed'; readonly runId: string; readonly error: RunFailure };

export function describeFailure(error: unknown): RunFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, code: typeof code === 'string' ? code : undefined };
  }
  return { message: String(error), code: undefined };
}
