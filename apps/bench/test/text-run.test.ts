import { mkdtempSync, rmSync, statSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@distillery/core';
import { loadTextModel } from '@distillery/models/node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry.js';
import { buildRunModels } from '../src/runner/run-models.js';
import { runSuite, type SuiteRunResult } from '../src/runner/run-suite.js';
import { validateSuite } from '../src/suites/load-suite.js';

// Tiny text and LM suites on the cpu backend: seconds, real SpamAssassin messages.
const TEXT = `
name: tiny-text
description: tiny SpamAssassin run
dataset: { name: spam-assassin, task: three-way, maxLength: 12, vocabSize: 120, trainLimit: 48, testLimit: 24 }
models:
  teacher: { type: transformer, width: 16, heads: 2, ffWidth: 16, layers: 2 }
  student: { type: transformer, width: 8, heads: 2, ffWidth: 8, layers: 1 }
teachers: [{ id: teacher, model: teacher }]
methods:
  - { id: student alone, student: student }
  - { id: KD, student: student, losses: [{ name: kd }], alpha: 1 }
  - { id: stage 1, student: student, losses: [{ name: tinybert-hidden }, { name: tinybert-attention }], alpha: 1 }
  - { id: stage 2, student: student, initFrom: stage 1, losses: [{ name: tinybert-prediction }], alpha: 1 }
seeds: [1]
epochs: { teacher: 1, student: 1 }
batchSize: 16
optimizer: { name: adam, learningRate: 0.001 }
`;

const LM = `
name: tiny-lm
description: tiny SpamAssassin LM run
dataset: { name: spam-assassin-lm, maxLength: 8, vocabSize: 120, trainLimit: 48, testLimit: 24 }
models:
  teacher: { type: transformerLm, width: 16, heads: 2, ffWidth: 16, layers: 1 }
  student: { type: transformerLm, width: 8, heads: 2, ffWidth: 8, layers: 1 }
teachers: [{ id: teacher, model: teacher, losses: [{ name: lm-ce }] }]
methods:
  - { id: student alone, student: student, losses: [{ name: lm-ce }], alpha: 1 }
  - { id: forward KL, student: student, losses: [{ name: lm-ce }, { name: token-kd }], alpha: 1 }
seeds: [1]
epochs: { teacher: 1, student: 1 }
batchSize: 16
optimizer: { name: adam, learningRate: 0.001 }
`;

describe('a text suite end to end (cpu backend)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-text-'));
  let result: SuiteRunResult;
  let tokenizerTime = 0;
  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
    result = await runSuite(validateSuite(parse(TEXT), createRegistry(), 'tiny-text.yaml'), { outDir: out, workers: 0, backend: 'cpu' });
  }, 300_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains every row and records accuracies in [0, 1]', () => {
    expect(result.outcome.computed).toHaveLength(5);
    for (const run of result.report.json.runs) {
      expect(run.last.accuracy).toBeGreaterThanOrEqual(0);
      expect(run.last.accuracy).toBeLessThanOrEqual(1);
      expect(run.testSize).toBe(24);
    }
  });

  it('writes the suite tokenizer once and reuses it for more seeds', async () => {
    const file = join(result.paths.artefacts, 'tokenizer-spam-assassin-v120.json');
    expect(existsSync(file)).toBe(true);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { vocab: string[] }).vocab.length).toBeLessThanOrEqual(120);
    tokenizerTime = statSync(file).mtimeMs;
    const again = await runSuite(validateSuite(parse(TEXT), createRegistry(), 'tiny-text.yaml'), { outDir: out, workers: 0, backend: 'cpu', seeds: [1, 2] });
    expect(again.outcome.computed).toHaveLength(5);
    expect(statSync(file).mtimeMs).toBe(tokenizerTime);
  }, 300_000);

  it('starts stage 2 from exactly the weights stage 1 saved (initFrom)', async () => {
    const stage2 = result.plan.tasks.find((t) => t.rowId === 'stage 2')!;
    const stage1 = result.plan.tasks.find((t) => t.rowId === 'stage 1')!;
    expect(stage2.initFolder).toBe(stage1.saveFolder);
    expect(stage2.dependencies).toContain(stage1.runId);
    const saved = await loadTextModel(stage1.saveFolder!);
    const models = await buildRunModels(stage2, 3);
    try {
      const start = models.students[0]!.stateVariables();
      const names = Object.keys(saved.stateVariables()).filter((n) => n !== 'dropout/calls');
      expect(names.length).toBeGreaterThan(5);
      for (const name of names) expect(Array.from(start[name]!.dataSync())).toEqual(Array.from(saved.stateVariables()[name]!.dataSync()));
    } finally {
      models.dispose();
      saved.dispose();
    }
  });
});

describe('an LM suite end to end (cpu backend)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-lm-'));
  let result: SuiteRunResult;
  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
    result = await runSuite(validateSuite(parse(LM), createRegistry(), 'tiny-lm.yaml'), { outDir: out, workers: 0, backend: 'cpu' });
  }, 300_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('records held-out perplexity (finite, > 1) and next-token accuracy, and reports perplexity', () => {
    expect(result.outcome.computed).toHaveLength(3);
    for (const run of result.report.json.runs) {
      expect(Number.isFinite(run.lm!.perplexity)).toBe(true);
      expect(run.lm!.perplexity).toBeGreaterThan(1);
      expect(run.lm!.nextTokenAccuracy).toBeGreaterThanOrEqual(0);
      expect(run.lm!.nextTokenAccuracy).toBeLessThanOrEqual(1);
    }
    const markdown = readFileSync(result.paths.markdown, 'utf8');
    expect(markdown).toContain('perplexity');
    expect(markdown).not.toContain('Reliability');
  });
});
