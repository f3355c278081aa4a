import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendName } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import { threadsPerWorker } from './backend.js';
import { RunFailureError, type Executor, type ProgressCallback } from './executor.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';
import type { RunRecord } from './run-record.js';

interface InFlight {
  readonly task: RunTask;
  readonly onProgress: ProgressCallback;
  readonly resolve: (record: RunRecord) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<BackendChoice>;
  current: InFlight | undefined;
}

/** The bundled worker script beside the CLI (dist/worker.js). */
export const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly backend: BackendName | undefined;
  readonly resultsFile: string;
  /** the worker-thread script; default WORKER_SCRIPT (the queue worker passes one that also runs from sources) */
  readonly script?: URL;
}

/**
 * N worker threads, one run each at a time. Every worker selects its backend itself and gets an equal
 * share of the cores for BLAS. Worker output goes to stderr so stdout stays clean for --json. A
 * worker that dies fails its run and is replaced.
 */
export async function workerPool(options: WorkerPoolOptions): Promise<Executor> {
  const script = options.script ?? WORKER_SCRIPT;
  if (!existsSync(fileURLToPath(script))) {
    throw new Error(`worker script ${fileURLToPath(script)} is missing: build the bench (npm run build), or run with --workers 0 from sources`);
  }
  const setup: WorkerSetup = { backend: options.backend, blasThreads: threadsPerWorker(options.workers), resultsFile: options.resultsFile };
  const chosen: BackendChoice[] = [];
  let closing = false;

  /** Starts a worker thread for `slot`; a crash fails the slot's run and starts a replacement. */
  const attach = (slot: Slot): void => {
    const worker = new Worker(script, { workerData: setup, stdout: true, stderr: true });
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    slot.worker = worker;
    slot.ready = new Promise<BackendChoice>((resolve, reject) => {
      // A worker that cannot start (no backend) is not replaced: its replacement would fail alike.
      let dead = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          chosen.push(message.backend);
          resolve(message.backend);
        } else if (message.type === 'setup-failed') {
          dead = true;
          reject(new Error(`a worker could not select its backend: ${message.error.message}`));
        } else if (slot.current && message.runId === slot.current.task.runId) {
          const current = slot.current;
          if (message.type === 'progress') {
            current.onProgress(message.step, message.totalSteps, message.loss);
          } else {
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
      worker.on('error', (error) => die(`worker crashed: ${error.message}`));
      worker.on('exit', (code) => die(`worker exited with code ${code}`));
    });
    // Runs await `ready`; an unobserved rejection here must not crash the process.
    slot.ready.catch(() => {});
  };

  const slots: Slot[] = Array.from({ length: options.workers }, () => {
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
      if (!slot) throw new Error('every worker is busy: the scheduler started more runs than slots');
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
