import type { BackendChoice } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import type { RunFailure } from './messages.js';
import type { RunRecord } from './run-record.js';

export type ProgressCallback = (step: number, totalSteps: number, loss: number | undefined) => void;

/** Where runs execute: in this thread, or in a pool of worker threads. */
export interface Executor {
  /** runs that may be in flight at once */
  readonly slots: number;
  /** resolves with the finished record; rejects with a RunFailureError */
  run(task: RunTask, onProgress: ProgressCallback): Promise<RunRecord>;
  /** the backends the threads selected so far */
  backends(): readonly BackendChoice[];
  close(): Promise<void>;
}

/** A run that threw, with the message and error code from the thread that ran it. */
export class RunFailureError extends Error {
  readonly code: string | undefined;
  constructor(readonly task: RunTask, failure: RunFailure) {
    super(failure.message);
    this.name = 'RunFailureError';
    this.code = failure.code;
  }
}
