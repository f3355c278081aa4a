import { InvalidArgumentError, Option, type Command } from 'commander';
import { BACKEND_NAMES, type BackendName } from '@distillery/core';
import { defaultWorkers } from '../runner/run-suite.js';
import { DEFAULT_QUEUE_NAME } from './queue-names.js';
import { startQueueWorker } from './queue-worker.js';

interface WorkerCommandOptions {
  readonly queue: string;
  readonly queueName: string;
  readonly workers?: number;
  readonly backend?: BackendName;
  readonly lockDuration: number;
  readonly stalledInterval: number;
}

const wholeNumber =
  (least: number) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < least) throw new InvalidArgumentError(`give a whole number >= ${least}`);
    return parsed;
  };

/** The `--queue-name` option, shared by `run --queue` and `worker`. */
export const queueNameOption = (): Option => new Option('--queue-name <name>', 'BullMQ queue to use in that Redis (coordinators and workers must agree)').default(DEFAULT_QUEUE_NAME);

/** The `--queue <url>` help text, shared by `run` and `worker`. */
export const QUEUE_URL_HELP = 'Redis URL: redis://[user:password@]host[:port][/db], or rediss://... for TLS';

/**
 * `distillery-bench worker --queue <url>`: trains runs from the queue until stopped. Ctrl-C (or
 * SIGTERM) stops taking jobs and lets the runs in flight finish; a second one quits at once, and the
 * queue hands those runs to another worker.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train runs that `run --queue` coordinators put on a BullMQ queue in Redis, on this machine, until stopped; start any number on any machines')
    .requiredOption('--queue <url>', QUEUE_URL_HELP)
    .addOption(queueNameOption())
    .option('--workers <n>', `runs at once, each in a worker thread (default: one per core, here ${defaultWorkers()}; 0 = one at a time in the main thread, only for runs shorter than --lock-duration)`, wholeNumber(0))
    .addOption(new Option('--backend <name>', 'force a backend (default: the best available)').choices([...BACKEND_NAMES]))
    .option('--lock-duration <ms>', 'a run whose worker stops answering for this long is handed to another worker', wholeNumber(1000), 30_000)
    .option('--stalled-interval <ms>', 'how often to look for runs whose worker stopped answering', wholeNumber(500), 30_000)
    .action(async (options: WorkerCommandOptions) => {
      const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      log('connecting (Ctrl-C stops the worker)');
      const worker = await startQueueWorker({
        url: options.queue,
        queueName: options.queueName,
        threads: options.workers ?? defaultWorkers(),
        ...(options.backend ? { backend: options.backend } : {}),
        lockDurationMs: options.lockDuration,
        stalledIntervalMs: options.stalledInterval,
        log,
      });
      let stopping = false;
      const stop = (): void => {
        if (stopping) process.exit(130);
        stopping = true;
        log('stopping: finishing the runs in flight (Ctrl-C again to quit now; the queue then hands them to another worker)');
        void worker.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
