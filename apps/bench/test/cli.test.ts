import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteReportJson } from '../src/report/write-report.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

/**
 * End-to-end tests of the built CLI (dist/cli.js, worker threads from dist/worker.js). The root
 * `npm test` builds every package before vitest runs; beforeAll runs the same turbo build (a cache hit
 * then, about a second) so that running this file alone tests current sources too.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[]): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const TIMING = new Set([7, 8]); // "train s" and "samples/s" columns of the table

/** Table rows without the timing columns, which differ between two runs of the same suite. */
function metricCells(table: string): string[] {
  return table
    .split('\n')
    .map((row) => row.split('|').filter((_, i) => !TIMING.has(i - 1)).join('|'));
}

describe('distillery-bench CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const suiteFile = join(folder, 'tiny.yaml');
  const interrupted = join(folder, 'interrupted');
  const straight = join(folder, 'straight');
  const common = ['--backend', 'cpu', '--no-progress', '--json'];

  beforeAll(() => {
    const build = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@distillery/bench...', '--output-logs=errors-only'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
    writeFileSync(suiteFile, tinySuiteYaml({ seeds: [1, 2, 3, 4, 5] }));
  }, 300_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('prints help for every command and exits 2 on bad usage or an invalid suite', () => {
    for (const command of [[], ['run'], ['report'], ['list'], ['validate']]) {
      const help = cli([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: distillery-bench/);
    }
    expect(cli(['run', '--workers', 'many']).code).toBe(2);
    const bad = join(folder, 'bad.yaml');
    writeFileSync(bad, tinySuiteYaml().replace('batchSize: 64', 'batchSize: -1'));
    const invalid = cli(['run', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('- batchSize: Too small');
    const listed = JSON.parse(cli(['list', '--json']).stdout) as { suites: Array<{ name: string }>; losses: Array<{ name: string }> };
    expect(listed.suites.map((s) => s.name)).toEqual(['adversarial', 'data-free', 'hinton-mnist', 'lm', 'losses', 'low-label', 'multi-teacher', 'mutual', 'quickstart', 'self', 'teacher-assistant', 'text']);
    expect(listed.losses.map((l) => l.name)).toContain('kd');
  });

  it('resumes after kill -9: finished runs are kept and not recomputed, and the table equals an uninterrupted run', async () => {
    // 1. Start a run on one worker and kill it hard once a few runs have finished.
    const child = spawn(process.execPath, [CLI, 'run', suiteFile, '--out', interrupted, '--workers', '1', ...common], { stdio: 'ignore' });
    const results = join(interrupted, 'tiny.jsonl');
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !(existsSync(results) && lines(results).length >= 3)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const before = lines(results);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(15);
    for (const line of before) expect(() => JSON.parse(line) as unknown).not.toThrow();
    // A crash in the middle of an append leaves a torn line: simulate one.
    appendFileSync(results, '{"format":1,"runId":"torn","suite":"ti');

    // 2. Run again: the torn line is dropped, finished runs are reused, the others computed.
    const resumed = cli(['run', suiteFile, '--out', interrupted, '--workers', '2', ...common]);
    expect(resumed.code).toBe(0);
    const resumedJson = JSON.parse(resumed.stdout) as SuiteReportJson & { outcome: { computed: number; reused: number } };
    expect(resumedJson.outcome).toMatchObject({ reused: before.length, computed: 15 - before.length });
    const after = lines(results);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(15);
    const ids = after.map((line) => (JSON.parse(line) as { runId: string }).runId);
    expect(new Set(ids).size).toBe(15);

    // 3. An uninterrupted run of the same suite gives the same numbers.
    const full = cli(['run', suiteFile, '--out', straight, '--workers', '2', ...common]);
    expect(full.code).toBe(0);
    const fullJson = JSON.parse(full.stdout) as SuiteReportJson;
    const metrics = (json: SuiteReportJson) => json.rows.map((r) => [r.id, r.seedsDone, r.errors, r.accuracy, r.ece, r.nll, r.agreement]);
    expect(metrics(resumedJson)).toEqual(metrics(fullJson));
    expect(metricCells(readFileSync(join(interrupted, 'tiny.md'), 'utf8').split('## Charts')[0]!.split('\n\n').find((p) => p.startsWith('| method'))!)).toEqual(
      metricCells(readFileSync(join(straight, 'tiny.md'), 'utf8').split('## Charts')[0]!.split('\n\n').find((p) => p.startsWith('| method'))!),
    );

    // 4. `report` rebuilds the same table from the results file alone.
    const rebuilt = cli(['report', suiteFile, '--out', straight, '--json']);
    expect(rebuilt.code).toBe(0);
    expect(metrics(JSON.parse(rebuilt.stdout) as SuiteReportJson)).toEqual(metrics(fullJson));
  }, 240_000);

  it('writes an HTML report that loads in headless Chromium without console errors, with one mark per datum', async (context) => {
    if (!existsSync(CHROMIUM)) {
      context.skip(`${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser test`);
      return;
    }
    const html = join(straight, 'tiny.html');
    if (!existsSync(html)) expect(cli(['run', suiteFile, '--out', straight, ...common]).code).toBe(0);
    const report = JSON.parse(readFileSync(join(straight, 'tiny.json'), 'utf8')) as SuiteReportJson;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`file://${html}`, { waitUntil: 'load' });
      const count = (selector: string): Promise<number> => page.locator(selector).count();
      const rows = report.rows.length; // teacher, student alone, KD
      const epochs = 1;
      // reliability bars: non-empty bins of each row, seeds pooled
      const binsPerRow = report.rows.map((row) => {
        const runs = report.runs.filter((r) => r.row === row.id);
        return runs[0]!.reliability.filter((_, b) => runs.some((r) => r.reliability[b]!.count > 0)).length;
      });
      expect(await page.locator('table tbody tr').count()).toBe(rows);
      expect(await count('#chart-accuracy g.accuracy_point_marks > path')).toBe(rows);
      expect(await count('#chart-accuracy g.accuracy_err_marks > line')).toBe(rows);
      expect(await count('#chart-learning-curves g.curve_line_marks')).toBe(rows);
      expect(await count('#chart-learning-curves g.curve_point_marks > path')).toBe(rows * epochs);
      expect(await count('#chart-reliability g.reliability_bar_marks')).toBe(rows);
      expect(await count('#chart-reliability g.reliability_bar_marks > path')).toBe(binsPerRow.reduce((a, b) => a + b, 0));
      expect(await count('#chart-size g.size_point_marks > path')).toBe(rows);
      expect(await count('#chart-time g.time_bar_marks > path')).toBe(rows);
      expect(problems).toEqual([]);
      // the Markdown report links the same charts as SVG files
      const markdown = readFileSync(join(straight, 'tiny.md'), 'utf8');
      for (const name of ['accuracy', 'learning-curves', 'reliability', 'size', 'time']) {
        expect(markdown).toContain(`(tiny/charts/${name}.svg)`);
        expect(existsSync(join(straight, 'tiny', 'charts', `${name}.svg`))).toBe(true);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
