import type { BackendChoice, BackendName } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import { selectRunBackend, threadsPerWorker } from './backend.js';
import { executeRun } from './execute-run.js';
import { RunFailureError, type Executor, type ProgressCallback } from './executor.js';
import { describeFailure } from './messages.js';
import type { RunRecord } from './run-record.js';

/** Runs one task at a time in the calling thread (library use, tests from source, --workers 0). */
export function inlineExecutor(options: { readonly backend: BackendName | undefined; readonly resultsFile: string }): Executor {
  let backend: Promise<BackendChoice> | undefined;
  let chosen: BackendChoice | undefined;
  return {
    slots: 1,
    async run(task: RunTask, onProgress: ProgressCallback): Promise<RunRecord> {
      try {
        backend ??= selectRunBackend(options.backend, threadsPerWorker(1));
        chosen = await backend;
        return await executeRun(task, { backend: chosen, requestedBackend: options.backend, resultsFile: options.resultsFile, onProgress });
      } catch (error) {
        throw new RunFailureError(task, describeFailure(error));
      }
    },
    backends: () => (chosen ? [chosen] : []),
    close: async () => {},
  };
}
