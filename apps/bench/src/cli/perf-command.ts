import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { BACKEND_NAMES, type BackendName } from '@distillery/core';
import { writeFileAtomic } from '@distillery/core/node';
import { perfMarkdown, runPerf } from '../perf/run-perf.js';

interface PerfCommandOptions {
  readonly backends: BackendName[];
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly torchThreads: number;
  readonly out: string;
  readonly json: boolean;
}

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return parsed;
};

/** `distillery-bench perf`: samples/s of the KD and student steps per backend, beside PyTorch when installed. */
export function registerPerfCommand(program: Command): void {
  program
    .command('perf')
    .description('measure samples/s of a KD step (with and without the teacher cache) and a plain student step, MLP and CNN pairs, on each backend; runs the PyTorch peer in the same invocation when python3 has torch')
    .addOption(
      new Option('--backends <list>', 'comma-separated backends to measure').default(['native', 'wasm']).argParser((value: string) => {
        const names = value.split(',');
        for (const name of names) if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new Error(`unknown backend "${name}" (${BACKEND_NAMES.join(', ')})`);
        return names as BackendName[];
      }),
    )
    .option('--batch <n>', 'batch size', positiveInteger, 128)
    .option('--steps <n>', 'timed steps per measurement', positiveInteger, 20)
    .option('--warmup <n>', 'untimed steps first', positiveInteger, 3)
    .option('--torch-threads <n>', 'PyTorch intra-op threads', positiveInteger, 2)
    .option('--out <dir>', 'folder for perf.md and perf.json', 'bench-results')
    .option('--json', 'print the report as JSON', false)
    .action(async (options: PerfCommandOptions) => {
      const report = await runPerf({
        backends: options.backends,
        batchSize: options.batch,
        steps: options.steps,
        warmup: options.warmup,
        torchThreads: options.torchThreads,
        onProgress: options.json ? undefined : (message) => process.stderr.write(`measuring ${message}\n`),
      });
      const outDir = resolve(options.out);
      await mkdir(outDir, { recursive: true });
      const markdown = perfMarkdown(report);
      await writeFileAtomic(join(outDir, 'perf.json'), JSON.stringify(report, null, 2) + '\n');
      await writeFileAtomic(join(outDir, 'perf.md'), markdown + '\n');
      process.stdout.write(options.json ? JSON.stringify(report) + '\n' : `${markdown}\n\nwritten: ${join(outDir, 'perf')}.{md,json}\n`);
    });
}
