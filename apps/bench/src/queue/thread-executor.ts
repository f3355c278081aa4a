import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendName } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import { threadsPerWorker } from '../runner/backend.js';
import { RunFailureError, type Executor, type ProgressCallback } from '../runner/executor.js';
import type { FromWorker, ToWorker, WorkerSetup } from '../runner/messages.js';
import type { RunRecord } from '../runner/run-record.js';

/**
 * The runner's worker-thread script. Bundled, this module is part of dist/cli.js and the script is
 * dist/worker.js beside it; run from sources (tests spawn the CLI through a TypeScript loader, which
 * worker threads inherit) it is the entry's source. The runner's own pool only knows the bundled
 * path, hence this small pool: training must leave the queue worker's event loop free, or BullMQ
 * could not renew the job's lock during a long run and would hand the run to another worker.
 */
export const THREAD_SCRIPT = import.meta.url.endsWith('.ts') ? new URL('../runner/worker-entry.ts', import.meta.url) : new URL('./worker.js', import.meta.url);

interface Slot {
  worker: Worker;
  ready: Promise<BackendChoice>;
  current: { task: RunTask; onProgress: ProgressCallback; resolve: (record: RunRecord) => void; reject: (error: Error) => void } | undefined;
}

/**
 * `threads` worker threads speaking the runner's thread protocol (runner/messages.ts), one run each
 * at a time. A thread that dies fails its run and is replaced.
 */
export async function threadExecutor(options: { readonly threads: number; readonly backend: BackendName | undefined; readonly resultsFile: string }): Promise<Executor> {
  if (!existsSync(fileURLToPath(THREAD_SCRIPT))) throw new Error(`worker script ${fileURLToPath(THREAD_SCRIPT)} is missing: build the bench (npm run build)`);
  const setup: WorkerSetup = { backend: options.backend, blasThreads: threadsPerWorker(options.threads), resultsFile: options.resultsFile };
  const chosen: BackendChoice[] = [];
  let closing = false;

  const attach = (slot: Slot): void => {
    const worker = new Worker(THREAD_SCRIPT, { workerData: setup, stdout: true, stderr: true });
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    slot.worker = worker;
    slot.ready = new Promise<BackendChoice>((resolve, reject) => {
      let dead = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          chosen.push(message.backend);
          resolve(message.backend);
        } else if (message.type === 'setup-failed') {
          dead = true;
          reject(new Error(`a worker thread could not select its backend: ${message.error.message}`));
        } else if (slot.current && message.runId === slot.current.task.runId) {
          const current = slot.current;
          if (message.type === 'progress') current.onProgress(message.step, message.totalSteps, message.loss);
          else {
            slot.current = undefined;
            if (message.type === 'done') current.resolve(message.record);
            else current.reject(new RunFailureError(current.task, message.error));
          }
        }
      });
      const die = (reason: string): void => {
        if (dead || closing) return;
        dead = true;
        reject(new Error(reason));
        const current = slot.current;
        slot.current = undefined;
        current?.reject(new RunFailureError(current.task, { message: reason, code: undefined }));
        attach(slot);
      };
      worker.on('error', (error) => die(`worker thread crashed: ${error.message}`));
      worker.on('exit', (code) => die(`worker thread exited with code ${code}`));
    });
    slot.ready.catch(() => {});
  };

  const slots: Slot[] = Array.from({ length: Math.max(1, options.threads) }, () => {
    const slot = { current: undefined } as Slot;
    attach(slot);
    return slot;
  });
  try {
    await Promise.all(slots.map((slot) => slot.ready));
  } catch (error) {
    closing = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw error;
  }

  return {
    slots: slots.length,
    async run(task: RunTask, onProgress: ProgressCallback): Promise<RunRecord> {
      const slot = slots.find((s) => !s.current);
      if (!slot) throw new Error('every worker thread is busy: more runs were started than threads');
      const result = new Promise<RunRecord>((resolve, reject) => {
        slot.current = { task, onProgress, resolve, reject };
      });
      await slot.ready;
      const message: ToWorker = { type: 'run', task };
      slot.worker.postMessage(message);
      return result;
    },
    backends: () => chosen,
    async close(): Promise<void> {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
