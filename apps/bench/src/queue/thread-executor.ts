import type { BackendName } from '@distillery/core';
import type { Executor } from '../runner/executor.js';
import { workerPool } from '../runner/worker-pool.js';

/**
 * The runner's worker-thread script. Bundled, this module is part of dist/cli.js and the script is
 * dist/worker.js beside it; run from sources (tests spawn the CLI through a TypeScript loader, which
 * worker threads inherit) it is the entry's source. The runner's own pool defaults to the bundled path
 * only, hence this script option: training must leave the queue worker's event loop free, or BullMQ
 * could not renew the job's lock during a long run and would hand the run to another worker.
 */
export const THREAD_SCRIPT = import.meta.url.endsWith('.ts') ? new URL('../runner/worker-entry.ts', import.meta.url) : new URL('./worker.js', import.meta.url);

/**
 * `threads` (at least one) worker threads of the runner's pool (runner/worker-pool.ts), started from
 * THREAD_SCRIPT, one run each at a time. A thread that dies fails its run and is replaced.
 */
export function threadExecutor(options: { readonly threads: number; readonly backend: BackendName | undefined; readonly resultsFile: string }): Promise<Executor> {
  return workerPool({ workers: Math.max(1, options.threads), backend: options.backend, resultsFile: options.resultsFile, script: THREAD_SCRIPT });
}
