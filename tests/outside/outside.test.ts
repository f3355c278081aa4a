import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareConsumer, type Consumer } from '../helpers/consumer.js';
import { limiter, run, tail } from '../helpers/run.js';
import { runReadmeExample, type ModuleFormat } from '../helpers/run-example.js';
import { libraryPackages, ROOT, type WorkspacePackage } from '../helpers/workspace.js';

/**
 * Distillery as users get it: every library package (whatever exists under packages/) is packed with
 * `npm pack`, the tarballs are installed with tfjs from the registry into a project outside the workspace,
 * and each README's example runs there as an ES module and as a CommonJS script. Then the plugin template
 * is used the way a contributor uses it, against the same tarballs, and the bench runs the plugins by name.
 */
const LIBRARIES = libraryPackages();
const FORMATS: readonly ModuleFormat[] = ['esm', 'cjs'];
const idOf = (pkg: WorkspacePackage): string => pkg.path.replace(/^packages\//, '');
// Two examples train at a time: CI has two cores, shared with the other test files.
const slot = limiter(2);

let consumer: Consumer;

beforeAll(async () => {
  consumer = await prepareConsumer();
}, 1_200_000);

/** Every path a manifest points users at (exports leaves, main, module, types, bin), without "./". */
function manifestTargets(pkg: WorkspacePackage): string[] {
  const out: string[] = [];
  const visit = (value: unknown, condition: string): void => {
    // The source condition serves the workspace only; Node and bundlers ignore it.
    if (condition === '@distillery/source') return;
    if (typeof value === 'string') out.push(value);
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) visit(inner, key);
  };
  const m = pkg.manifest;
  visit(m.exports, '');
  visit(m.main, 'main');
  visit(m.module, 'module');
  visit(m.types, 'types');
  visit(m.bin, 'bin');
  return [...new Set(out.filter((t) => !t.includes('*')).map((t) => t.replace(/^\.\//, '')))];
}

/** The subpaths a package exports for code ('.' and './node', not './package.json'). */
const codeSubpaths = (pkg: WorkspacePackage): string[] =>
  Object.keys(pkg.manifest.exports ?? { '.': '' }).filter((key) => key.startsWith('.') && !key.endsWith('.json') && !key.includes('*'));

interface EntryReport {
  readonly esm?: string[];
  readonly cjs?: string[];
  readonly esmError?: string;
  readonly cjsError?: string;
}

// One node process imports and requires every entry point of every package (tfjs loads once).
const LOAD_ENTRIES = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const firstLine = (error) => String(error && error.message ? error.message : error).split('\\n')[0];
const report = {};
for (const specifier of JSON.parse(process.argv[2])) {
  const entry = {};
  try { entry.esm = Object.keys(await import(specifier)).sort(); } catch (error) { entry.esmError = firstLine(error); }
  try { entry.cjs = Object.keys(require(specifier)).filter((k) => k !== '__esModule' && k !== 'module.exports').sort(); } catch (error) { entry.cjsError = firstLine(error); }
  report[specifier] = entry;
}
process.stdout.write('\\n@@' + JSON.stringify(report));
`;

let entryReports: Promise<Record<string, EntryReport>> | undefined;
function loadEntries(): Promise<Record<string, EntryReport>> {
  entryReports ??= (async () => {
    const specifiers = LIBRARIES.flatMap((pkg) => codeSubpaths(pkg).map((sub) => (sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`)));
    const script = join(consumer.dir, 'load-entries.mjs');
    writeFileSync(script, LOAD_ENTRIES);
    const result = await run(process.execPath, [script, JSON.stringify(specifiers)], { cwd: consumer.dir, timeoutMs: 300_000 });
    const marker = result.stdout.lastIndexOf('\n@@');
    if (result.code !== 0 || marker < 0) throw new Error(`loading the entry points failed:\n${tail(result.stderr)}`);
    return JSON.parse(result.stdout.slice(marker + 3)) as Record<string, EntryReport>;
  })();
  return entryReports;
}

describe('packed tarballs', () => {
  it('there are library packages to pack', () => {
    expect(LIBRARIES.length).toBeGreaterThan(0);
  });

  it('install one @tensorflow/tfjs-core for all of them (the peer dependency, deduplicated)', async () => {
    const ls = await run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], { cwd: consumer.dir });
    const copies = new Set(ls.stdout.split('\n').filter((line) => line.includes('tfjs-core')));
    expect([...copies], ls.stderr).toEqual([join(consumer.dir, 'node_modules', '@tensorflow', 'tfjs-core')]);
  });

  describe.each(LIBRARIES.map((pkg) => [pkg.name, pkg] as const))('%s', (_name, pkg) => {
    it('holds every file its package.json points at, its README, and no sources or tests', () => {
      const packed = consumer.packed.get(pkg.name);
      expect(packed, `${pkg.name} was not packed`).toBeDefined();
      const files = new Set(packed?.files);
      const missing = manifestTargets(pkg).filter((target) => !files.has(target));
      expect(missing, `${pkg.path}/package.json points at files its tarball lacks (build first, or fix "files"/"exports")`).toEqual([]);
      expect(files.has('README.md')).toBe(true);
      expect([...files].filter((f) => /^(src|test)\//.test(f))).toEqual([]);
    });

    it('every entry point loads with import and with require, exporting the same names', async () => {
      const reports = await loadEntries();
      for (const subpath of codeSubpaths(pkg)) {
        const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
        const report = reports[specifier];
        expect(report?.esmError, `import('${specifier}')`).toBeUndefined();
        expect(report?.cjsError, `require('${specifier}')`).toBeUndefined();
        expect(report?.esm?.length, `import('${specifier}') exports nothing`).toBeGreaterThan(0);
        expect(report?.cjs, `require('${specifier}') and import('${specifier}') differ`).toEqual(report?.esm);
      }
    });
  });
});

describe('README examples, run from the installed tarballs', () => {
  for (const pkg of LIBRARIES) {
    for (const format of FORMATS) {
      it.concurrent(`${pkg.name}: the "## Example" block runs as ${format === 'esm' ? 'an ES module (import)' : 'CommonJS (require)'}`, async () => {
        const result = await slot(() => runReadmeExample(consumer.dir, idOf(pkg), join(pkg.dir, 'README.md'), format));
        // CI runs every example twice on two shared cores: a README example should take seconds.
        if (result.seconds > 60) console.warn(`${pkg.name} README example (${format}) took ${result.seconds.toFixed(0)} s: keep it to a few seconds (see CONTRIBUTING.md)`);
        expect(result.code, `${result.file} failed (exit ${result.code}, ${result.seconds.toFixed(0)} s):\n${tail(result.stderr || result.stdout)}`).toBe(0);
      });
    }
  }
});

interface PluginSpec {
  readonly name: string;
  readonly kind: 'loss' | 'scheme';
  readonly method: string;
  readonly folder: string;
}

// Names no built-in method uses: the bench must find them through --plugin only.
const PLUGINS: readonly PluginSpec[] = [
  { name: 'distillery-plugin-outside-logits', kind: 'loss', method: 'outside-logits', folder: 'outside-logits' },
  { name: '@outside/soft-scheme', kind: 'scheme', method: 'soft-scheme', folder: 'soft-scheme' },
];

const BENCH_SUITE = `
name: outside-plugins
description: plugins from outside the workspace, loaded by package name
dataset: { name: mnist, trainLimit: 1200, testLimit: 400 }
models:
  teacher: { type: mlp, hidden: [32] }
  student: { type: mlp, hidden: [16] }
teachers:
  - { id: teacher, model: teacher }
methods:
  - { id: student alone, student: student }
  - { id: KD, student: student, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
  - { id: outside-logits, student: student, losses: [{ name: outside-logits }], alpha: 0.9 }
  - { id: soft-scheme, student: student, teacher: teacher, scheme: soft-scheme }
seeds: [1]
epochs: { teacher: 2, student: 2 }
batchSize: 64
optimizer: { name: adam, learningRate: 0.001 }
`;

describe('plugin template, used outside the workspace against the tarballs', () => {
  const pluginDir = (spec: PluginSpec): string => join(consumer.dir, 'plugins', spec.folder);
  const bin = (tool: string): string => join(consumer.dir, 'node_modules', '.bin', tool);
  const tarballs: string[] = [];

  it('`npm run new-plugin` scaffolds a loss and a scheme plugin whose typecheck, conformance tests and build pass', async () => {
    for (const spec of PLUGINS) {
      const dir = pluginDir(spec);
      rmSync(dir, { recursive: true, force: true });
      const scaffold = await run('npm', ['run', '--silent', 'new-plugin', '--', spec.name, '--kind', spec.kind, '--dir', dir], { cwd: ROOT });
      expect(scaffold.code, `new-plugin ${spec.name}:\n${scaffold.stderr}`).toBe(0);
      for (const file of ['package.json', 'README.md', `src/${spec.method}.ts`, 'src/plugin.ts', `test/${spec.method}.test.ts`, `bench/${spec.method}.yaml`, '.changeset/config.json']) {
        expect(existsSync(join(dir, file)), `${spec.name}: ${file}`).toBe(true);
      }
      // The plugin has no node_modules of its own: it resolves the consumer's, i.e. the tarballs.
      const steps: Array<[string, string[]]> = [
        [bin('tsc'), ['-p', 'tsconfig.json']],
        [bin('vitest'), ['run']],
        [bin('tsup'), []],
        ['npm', ['pack', '--pack-destination', dir, '--json']],
      ];
      for (const [command, args] of steps) {
        const result = await run(command, args, { cwd: dir, timeoutMs: 300_000 });
        expect(result.code, `${spec.name}: ${command} ${args.join(' ')}\n${tail(result.stdout)}\n${tail(result.stderr)}`).toBe(0);
        if (command === bin('vitest')) expect(result.stdout).toMatch(/Tests\s+\d+ passed/);
        if (command === 'npm') {
          const [packed] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ filename: string }>;
          tarballs.push(join(dir, packed!.filename));
        }
      }
    }
  }, 900_000);

  it('installs the packed plugins and runs their README examples as ESM and CJS', async () => {
    expect(tarballs).toHaveLength(PLUGINS.length);
    const install = await run('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: consumer.dir, env: { DISTILLERY_SKIP_NATIVE: '1' }, timeoutMs: 600_000 });
    expect(install.code, tail(install.stderr)).toBe(0);
    const runs = PLUGINS.flatMap((spec) => FORMATS.map((format) => slot(() => runReadmeExample(consumer.dir, `plugin-${spec.folder}`, join(pluginDir(spec), 'README.md'), format))));
    for (const result of await Promise.all(runs)) expect(result.code, `${result.file}:\n${tail(result.stderr || result.stdout)}`).toBe(0);
  }, 900_000);

  it('the bench runs both plugins by package name (worker threads), and does not know them without --plugin', async () => {
    const bench = bin('distillery-bench');
    const suite = join(consumer.dir, 'outside-plugins.yaml');
    writeFileSync(suite, BENCH_SUITE);
    const plugins = PLUGINS.flatMap((spec) => ['--plugin', spec.name]);

    const without = await run(bench, ['validate', suite], { cwd: consumer.dir });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('no loss named "outside-logits"');

    const list = await run(bench, ['list', '--json', ...plugins], { cwd: consumer.dir });
    expect(list.code, list.stderr).toBe(0);
    const listing = JSON.parse(list.stdout) as { losses: Array<{ name: string }>; schemes: Array<{ name: string }> };
    expect(listing.losses.map((l) => l.name)).toContain('outside-logits');
    expect(listing.schemes.map((s) => s.name)).toContain('soft-scheme');

    // the template's own suite is valid with its plugin loaded
    for (const spec of PLUGINS) {
      const validate = await run(bench, ['validate', join(pluginDir(spec), 'bench', `${spec.method}.yaml`), '--quick', '--plugin', spec.name], { cwd: consumer.dir });
      expect(validate.code, `${spec.name}: ${validate.stderr}`).toBe(0);
    }

    const out = join(consumer.dir, 'bench-results');
    rmSync(out, { recursive: true, force: true });
    const result = await run(bench, ['run', suite, ...plugins, '--workers', '1', '--no-progress', '--json', '--out', out], { cwd: consumer.dir, timeoutMs: 600_000 });
    expect(result.code, tail(result.stderr)).toBe(0);
    const report = JSON.parse(result.stdout) as { outcome: { failed: number; computed: number }; rows: Array<{ id: string; accuracy: { mean: number } }> };
    expect(report.outcome.failed).toBe(0);
    for (const id of ['outside-logits', 'soft-scheme']) {
      const row = report.rows.find((r) => r.id === id);
      expect(row, `row ${id}`).toBeDefined();
      // 10 classes: a trained student beats chance (10%) even after one epoch on 600 images
      expect(row!.accuracy.mean).toBeGreaterThan(20);
    }
    expect(readFileSync(join(out, 'outside-plugins.jsonl'), 'utf8').trim().split('\n')).toHaveLength(report.outcome.computed);
  }, 600_000);
});
