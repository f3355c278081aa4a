import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/workspace.js';
import type { KdStepReport } from './fixtures/kd-step.js';

/**
 * A KD step in a browser: fixtures/kd-step.ts (core's Trainer, data's blobs, a models MLP teacher and
 * student, losses' kd, offline's scheme) is bundled for the browser by esbuild from the packages' built
 * dist, loaded in headless Chromium (Debian's, driven by playwright-core), and trained on webgl when the
 * browser offers it, else on cpu. The loss must fall.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ENTRY = fileURLToPath(new URL('./fixtures/kd-step.ts', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'distillery-browser-'));

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

beforeAll(async () => {
  await ensureBuilt();
}, 900_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('KD in headless Chromium', () => {
  it('bundles the packages for the browser with esbuild, without Node shims', async () => {
    const result = await build({
      entryPoints: [ENTRY],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      outfile: join(folder, 'kd-step.js'),
      logLevel: 'silent',
      metafile: true,
      // the optional tfjs-node lookup in core is a dynamic import of a variable: nothing to bundle
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    // the packages came from their built dist, as a user's bundler sees them
    for (const pkg of ['core', 'data', 'losses', 'models', 'offline']) expect(inputs.some((i) => i.startsWith(`packages/${pkg}/dist/`)), pkg).toBe(true);
    writeFileSync(join(folder, 'index.html'), '<!doctype html><meta charset="utf-8"><title>kd</title><script src="kd-step.js"></script>\n');
  }, 300_000);

  it('trains a student by KD on webgl or cpu, and the loss falls', async (context) => {
    if (!existsSync(CHROMIUM)) {
      const message = `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH to run the browser KD test`;
      console.warn(`skipped: ${message}`);
      context.skip(message);
      return;
    }
    expect(existsSync(join(folder, 'kd-step.js')), 'the bundle from the previous test').toBe(true);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // SwiftShader gives headless Chromium a software WebGL where no GPU exists.
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`file://${join(folder, 'index.html')}`, { waitUntil: 'load' });
      const report = await page.evaluate(async () => {
        const pending = (window as unknown as { __distillery?: Promise<KdStepReport> }).__distillery;
        if (!pending) throw new Error('the bundle did not start (window.__distillery is missing)');
        return pending;
      });
      expect(errors).toEqual([]);
      expect(['webgl', 'cpu']).toContain(report.backend);
      expect(report.teacherAccuracy).toBeGreaterThan(0.8);
      expect(report.losses.length).toBeGreaterThanOrEqual(4 * 8); // 4 epochs x 256 samples / batch 32, logged every step
      expect(report.losses.every(Number.isFinite)).toBe(true);
      // epoch means fall, and the last steps' running mean is well below the first steps'
      expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]!);
      expect(mean(report.losses.slice(-4))).toBeLessThan(0.9 * mean(report.losses.slice(0, 4)));
      expect(report.studentAccuracy).toBeGreaterThan(0.5);
      console.info(`browser KD on ${report.backend}: loss ${report.epochLosses.map((l) => l.toFixed(3)).join(' -> ')}, student accuracy ${report.studentAccuracy.toFixed(3)}`);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
