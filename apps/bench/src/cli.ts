#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, Option, type CommanderError } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, DistilleryError, type BackendName } from '@distillery/core';
import { EXIT, parseSeeds, parseWorkers } from './cli/options.js';
import { formatListing, listing } from './cli/list.js';
import { registerPerfCommand } from './cli/perf-command.js';
import { runSuiteOnQueue, type QueueSuiteRunResult } from './queue/coordinator.js';
import { formatOverhead } from './queue/overhead.js';
import { QueueError } from './queue/queue-error.js';
import { QUEUE_URL_HELP, queueNameOption, registerWorkerCommand } from './queue/worker-command.js';
import { planSuite } from './plan/plan-suite.js';
import { registerPluginOption } from './plugins/plugin-option.js';
import { createRegistry } from './registry.js';
import { outputPaths } from './report/write-report.js';
import { terminalProgress, silentProgress } from './runner/progress.js';
import { defaultWorkers, rebuildReport, runSuite } from './runner/run-suite.js';
import { loadSuite } from './suites/load-suite.js';
import { SuiteValidationError } from './suites/suite-error.js';

// The cpu backend greets Node users with a banner on first use; the bench prints its own output.
tf.enableProdMode();

interface CommonOptions {
  readonly quick: boolean;
  readonly seeds?: number[];
  readonly out: string;
  readonly json: boolean;
}

interface RunOptions extends CommonOptions {
  readonly backend?: BackendName;
  readonly workers?: number;
  readonly progress: boolean;
  readonly queue?: string;
  readonly queueName: string;
  readonly noop: boolean;
}

/**
 * process.exit() drops whatever a piped stdout has not flushed yet (a `--json` report past 64 KiB was cut
 * short): exit only once both streams have written everything.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

const program = new Command()
  .name('distillery-bench')
  .description('Benchmark knowledge-distillation methods side by side on data shipped in npm packages.\nExit codes: 0 ok, 1 a run failed, 2 bad usage or invalid suite, 130 interrupted.')
  .showHelpAfterError()
  // Usage errors exit with 2 (help and --version with 0), as documented above.
  .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage));

const suiteArgument = (command: Command): Command =>
  command
    .argument('[suite]', 'a shipped suite (see `list`) or a .yaml/.yml/.json suite file', 'quickstart')
    .option('--quick', "the suite's quick variant: smaller data, models and budget, for smoke runs", false)
    .option('--seeds <list>', 'comma-separated seeds, overriding the suite', parseSeeds)
    .option('--out <dir>', 'folder for results and reports', 'bench-results')
    .option('--json', 'print the report as JSON on stdout (no progress bar, no table)', false);

suiteArgument(
  program
    .command('run')
    .description(
      'run every method x seed of a suite in parallel worker threads; finished runs are appended to <out>/<suite>.jsonl and skipped when run again (resume after a crash or Ctrl-C); then write <suite>.{md,html,json} and charts',
    ),
)
  .addOption(new Option('--backend <name>', 'force a backend in every worker (default: the best available; results do not depend on it, so runs done on another backend are reused)').choices([...BACKEND_NAMES]))
  .option('--workers <n>', `worker threads, one run each (default: one per core, here ${defaultWorkers()}; 0 = in the main thread)`, parseWorkers)
  .option('--no-progress', 'no progress bar')
  .option('--queue <url>', `enqueue the runs on a job queue for \`distillery-bench worker\` processes on any machines instead of training here (${QUEUE_URL_HELP}); results and reports are written here as usual`)
  .addOption(queueNameOption())
  .addOption(new Option('--noop', 'with --queue: jobs train nothing (measures the queue overhead; results go to <suite>.queue-noop.*)').default(false).hideHelp())
  .action(async (name: string, options: RunOptions) => {
    const suite = loadSuite(name, createRegistry(), { quick: options.quick });
    const controller = new AbortController();
    const interrupt = (): void => {
      if (controller.signal.aborted) process.exit(EXIT.interrupted);
      process.stderr.write('\ninterrupted: stopping the runs in flight (finished runs are saved; run again to resume; Ctrl-C again to quit now)\n');
      controller.abort();
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    const common = {
      outDir: resolve(options.out),
      ...(options.seeds ? { seeds: options.seeds } : {}),
      progress: options.progress && !options.json ? terminalProgress() : silentProgress,
      signal: controller.signal,
    };
    if (options.queue && (options.workers !== undefined || options.backend)) process.stderr.write('note: with --queue, threads and backend are chosen by each `distillery-bench worker` (its --workers and --backend)\n');
    const result = options.queue
      ? await runSuiteOnQueue(suite, { ...common, url: options.queue, queueName: options.queueName, noop: options.noop })
      : await runSuite(suite, { ...common, ...(options.workers !== undefined ? { workers: options.workers } : {}), ...(options.backend ? { backend: options.backend } : {}) });
    const queue = (result as Partial<QueueSuiteRunResult>).queue;
    const { outcome, report, paths } = result;
    const counts = { computed: outcome.computed.length, reused: outcome.reused.length, failed: outcome.failed.length, skipped: outcome.skipped.length };
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...report.json, outcome: { ...counts, failures: outcome.failed.map((f) => ({ run: f.task.label, message: f.error.message })) }, ...(queue ? { queue } : {}) })}\n`);
    } else {
      const backends = report.json.backends.join(', ') || '-';
      process.stdout.write(
        `\n${suite.spec.description}\nbackend: ${backends}, workers: ${result.workers}, wall time ${result.wallSeconds.toFixed(0)} s; runs: ${counts.computed} computed, ${counts.reused} reused from ${paths.results}${counts.failed ? `, ${counts.failed} failed` : ''}${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n\n${report.tables}\n\nwritten: ${paths.markdown}, ${paths.html}, ${paths.json}, charts in ${paths.charts}\n`,
      );
      if (queue) process.stdout.write(`${queue.workers.length} worker(s) via ${queue.server} ("${queue.queueName}"); ${formatOverhead(queue.overhead)}\n`);
      for (const failure of outcome.failed) process.stderr.write(`failed: ${failure.task.label}: ${failure.error.message}\n`);
    }
    exitWhenFlushed(result.interrupted ? EXIT.interrupted : counts.failed > 0 || counts.skipped > 0 ? EXIT.failed : EXIT.ok);
  });

suiteArgument(program.command('report').description('rebuild <suite>.{md,html,json} and the charts from the results file, training nothing')).action(async (name: string, options: CommonOptions) => {
  const suite = loadSuite(name, createRegistry(), { quick: options.quick });
  const { report, paths } = await rebuildReport(suite, {
    outDir: resolve(options.out),
    ...(options.seeds ? { seeds: options.seeds } : {}),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(report.json)}\n`);
  else process.stdout.write(`${suite.spec.description}\n\n${report.tables}\n\nwritten: ${paths.markdown}, ${paths.html}, ${paths.json}\n`);
});

program
  .command('validate')
  .description('check a suite file (both its full and quick variants) and print its runs, training nothing')
  .argument('[suite]', 'a shipped suite or a .yaml/.yml/.json suite file', 'quickstart')
  .option('--quick', 'show the quick variant', false)
  .option('--json', 'print the plan as JSON', false)
  .action((name: string, options: { quick: boolean; json: boolean }) => {
    const suite = loadSuite(name, createRegistry(), { quick: options.quick });
    const plan = planSuite(suite, { artefacts: outputPaths('bench-results', suite.spec.name).artefacts });
    const runs = plan.tasks.map((t) => ({ runId: t.runId, run: t.label, role: t.config.role, dependsOn: t.dependsOn ?? null }));
    if (options.json) process.stdout.write(`${JSON.stringify({ suite: suite.spec.name, valid: true, runs })}\n`);
    else process.stdout.write(`${suite.source}: valid; ${suite.rows.length} rows x ${plan.seeds.length} seeds = ${runs.length} runs\n${runs.map((r) => `  ${r.runId}  ${r.run}`).join('\n')}\n`);
  });

program
  .command('list')
  .description('list the shipped suites and the registered schemes and losses, with their references')
  .option('--json', 'print as JSON', false)
  .action((options: { json: boolean }) => {
    const registry = createRegistry();
    process.stdout.write(options.json ? `${JSON.stringify(listing(registry))}\n` : formatListing(registry));
  });

registerPluginOption(program);
registerPerfCommand(program);
registerWorkerCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof SuiteValidationError) {
    process.stderr.write(`distillery-bench: ${error.message}\n`);
    process.exit(EXIT.usage);
  }
  if (error instanceof QueueError) {
    process.stderr.write(`distillery-bench: ${error.message}\n`);
    process.exit(error.code === 'QUEUE_URL_INVALID' ? EXIT.usage : EXIT.failed);
  }
  if (error instanceof DistilleryError) {
    process.stderr.write(`distillery-bench: ${error.message}\n`);
    process.exit(error.code === 'CONFIG_INVALID' ? EXIT.usage : EXIT.failed);
  }
  process.stderr.write(`distillery-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(EXIT.failed);
});
