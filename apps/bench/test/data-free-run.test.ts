import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@distillery/core';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry.js';
import { runSuite, type SuiteRunResult } from '../src/runner/run-suite.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { dataFreeSuiteYaml } from './helpers/data-free-suite.js';

// 784-vectors shown as 28x28 images: 8 columns x 28 px + 9 paddings of 2 px, 8 rows of the same
const GRID_SIDE = 8 * 28 + 9 * 2;

describe('data-free and adversarial rows run end to end (cpu backend, tiny data)', () => {
  let result: SuiteRunResult;
  let tensorsBefore = 0;
  const out = mkdtempSync(join(tmpdir(), 'bench-data-free-'));
  const suite = validateSuite(parse(dataFreeSuiteYaml({ trainLimit: 200, testLimit: 100 })), createRegistry(), 'data-free-tiny.yaml');

  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
    tensorsBefore = tf.memory().numTensors;
    result = await runSuite(suite, { outDir: out, workers: 0, backend: 'cpu' });
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains every row, records real accuracies and leaks no tensors', () => {
    expect(result.outcome.failed).toEqual([]);
    expect(result.outcome.computed).toHaveLength(7);
    expect(tf.memory().numTensors - tensorsBefore).toBe(0);
    for (const run of result.report.json.runs) {
      expect(run.last.accuracy).toBeGreaterThanOrEqual(0);
      expect(run.last.accuracy).toBeLessThanOrEqual(1);
      expect(run.last.errors).toBe(Math.round((1 - run.last.accuracy) * 100));
      expect(run.testSize).toBe(100);
    }
    const byRow = new Map(result.report.json.runs.map((r) => [r.row, r] as const));
    // the clock and the noise set hold stepsPerEpoch x batchSize samples; the few-shot row its 40 images
    expect(byRow.get('DAFL')?.trainSize).toBe(2 * 32);
    expect(byRow.get('noise KD')?.trainSize).toBe(2 * 32);
    expect(byRow.get('few-shot')?.trainSize).toBe(40);
    // DAFL's generator is the method's extra parameters; the adversarial row's discriminator too
    expect(byRow.get('DAFL')?.params.extra).toBeGreaterThan(0);
    expect(byRow.get('adversarial KD')?.params.extra).toBeGreaterThan(0);
    expect(Number.isFinite(byRow.get('adversarial KD')?.epochs[0]?.terms['discriminator'])).toBe(true);
  });

  it('writes a sample grid for the schemes that show their inputs, and shows it in the reports', () => {
    const withSamples = result.report.json.runs.filter((r) => r.samples).map((r) => r.row).sort();
    expect(withSamples).toEqual(['DAFL', 'few-shot']);
    const dafl = result.report.json.runs.find((r) => r.row === 'DAFL')!;
    expect(dafl.samples).toBe('data-free-tiny/samples/dafl-seed1.png');
    const png = PNG.sync.read(readFileSync(join(out, dafl.samples!)));
    expect([png.width, png.height]).toEqual([GRID_SIDE, GRID_SIDE]);
    // a generator's output is not a blank image
    const values = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) values.add(png.data[i]!);
    expect(values.size).toBeGreaterThan(10);
    const markdown = readFileSync(result.paths.markdown, 'utf8');
    expect(markdown).toContain('## Samples');
    expect(markdown).toContain('![DAFL seed 1](data-free-tiny/samples/dafl-seed1.png)');
    expect(readFileSync(result.paths.html, 'utf8')).toContain('<img src="data-free-tiny/samples/dafl-seed1.png" alt="DAFL seed 1">');
  });
});
