#!/usr/bin/env node
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_NAMES, DistilleryError, type BackendName } from '@distillery/core';
import { writeFileAtomic } from '@distillery/core/node';
import { SUITES } from './suites/quickstart.js';
import { runSuite } from './runner/run-suite.js';
import { terminalProgress, silentProgress } from './runner/progress.js';
import { markdownTable } from './report/summary.js';
import { createRegistry } from './registry.js';

const program = new Command()
  .name('distillery-bench')
  .description('Benchmark knowledge-distillation methods side by side on embedded data')
  .showHelpAfterError();

program
  .command('run')
  .description('run a suite of methods x seeds, print a table and write results as JSON and Markdown')
  .argument('[suite]', `suite name (${Object.keys(SUITES).join(', ')})`, 'quickstart')
  .option('--quick', 'a ~1 minute smoke version of the suite (smaller data, models, epochs)', false)
  .addOption(new Option('--backend <name>', 'force a backend (default: best available)').choices([...BACKEND_NAMES]))
  .option('--seeds <list>', 'comma-separated seeds, overriding the suite', (value: string) => value.split(',').map(Number))
  .option('--out <dir>', 'folder for results', 'bench-results')
  .option('--json', 'print the results as JSON on stdout instead of the table', false)
  .option('--no-progress', 'no progress bar')
  .action(async (suiteName: string, options: { quick: boolean; backend?: BackendName; seeds?: number[]; out: string; json: boolean; progress: boolean }) => {
    const entry = SUITES[suiteName];
    if (!entry) {
      program.error(`unknown suite "${suiteName}"; known suites: ${Object.keys(SUITES).join(', ')}`, { exitCode: 2 });
    }
    const spec = options.quick ? entry.quick : entry.full;
    const result = await runSuite(spec, {
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.seeds ? { seeds: options.seeds } : {}),
      progress: options.progress && !options.json ? terminalProgress() : silentProgress,
    });
    const outDir = resolve(options.out);
    await mkdir(outDir, { recursive: true });
    const table = markdownTable(result);
    await writeFileAtomic(join(outDir, `${spec.name}.json`), JSON.stringify(result, null, 2) + '\n');
    await writeFileAtomic(
      join(outDir, `${spec.name}.md`),
      `# ${spec.name}\n\n${spec.description}\n\nBackend: ${result.backend}. Wall time: ${result.wallSeconds.toFixed(0)} s. Started ${result.startedAt}.\n\n${table}\n`,
    );
    if (options.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      process.stdout.write(`\n${spec.description}\nbackend: ${result.backend}, wall time ${result.wallSeconds.toFixed(0)} s\n\n${table}\n\nwritten: ${join(outDir, spec.name)}.{json,md}\n`);
    }
  });

program
  .command('list')
  .description('list suites and registered methods with their references')
  .action(() => {
    const registry = createRegistry();
    process.stdout.write('suites:\n');
    for (const [name, entry] of Object.entries(SUITES)) process.stdout.write(`  ${name.padEnd(22)} ${entry.full.description}\n`);
    process.stdout.write('schemes:\n');
    for (const s of registry.schemes()) process.stdout.write(`  ${s.name.padEnd(22)} ${s.summary} [${s.reference.authors} ${s.reference.year}]\n`);
    process.stdout.write('losses:\n');
    for (const l of registry.losses()) process.stdout.write(`  ${l.name.padEnd(22)} ${l.summary} [${l.reference.authors} ${l.reference.year}]\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof DistilleryError) {
    process.stderr.write(`distillery-bench: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
