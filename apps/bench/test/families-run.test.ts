import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { evaluateModels, selectBackend } from '@distillery/core';
import { loadMnist } from '@distillery/data/node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inView } from '../src/data/suite-data.js';
import { loadTeacher } from '../src/models/teacher-store.js';
import { createRegistry } from '../src/registry.js';
import { readEvaluationModels } from '../src/runner/evaluation-models.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { runSuite, type SuiteRunResult } from '../src/runner/run-suite.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { familiesSuiteYaml } from './helpers/families-suite.js';

const mlpParams = (sizes: readonly number[]): number => sizes.slice(1).reduce((sum, units, i) => sum + (sizes[i]! + 1) * units, 0);

describe('one row of each family, end to end in the main thread', () => {
  let result: SuiteRunResult;
  let tensorsBefore = 0;
  const out = mkdtempSync(join(tmpdir(), 'bench-families-run-'));
  const suite = validateSuite(parse(familiesSuiteYaml()), createRegistry(), 'families.yaml');
  const record = (row: string): RunRecord => result.report.json.runs.find((r) => r.row === row)!;

  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
    tensorsBefore = tf.memory().numTensors;
    result = await runSuite(suite, { outDir: out, workers: 0, backend: 'cpu' });
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every row (outputs included), leaks no tensors and reports the rows in order', () => {
    expect(result.outcome.failed).toEqual([]);
    expect(result.outcome.computed).toHaveLength(16);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.report.rows.map((r) => r.id)).toEqual(suite.rows.map((r) => r.id));
    for (const row of result.report.rows) expect(row.seedsDone).toBe(1);
  });

  it('reports a cohort peer as its own row, with its own parameters and the metrics its run recorded', async () => {
    const dml = record('DML');
    const peer = record('DML peer 16');
    expect(dml.params).toEqual({ model: mlpParams([784, 8, 10]), extra: mlpParams([784, 16, 10]) });
    expect(peer.params).toEqual({ model: mlpParams([784, 16, 10]), extra: 0 });
    const file = await readEvaluationModels(join(out, dml.savedModel!));
    expect(Object.keys(file.models)).toEqual(['peer0', 'peer1']);
    expect(file.models['peer0']!.last).toEqual(dml.last);
    expect(peer.last).toEqual(file.models['peer1']!.last);
    expect(peer.epochs.map((e) => e.test)).toEqual(file.models['peer1']!.epochs);
    expect(peer.epochs.map((e) => e.terms)).toEqual(dml.epochs.map((e) => e.terms));
    expect(peer.reliability.reduce((sum, b) => sum + b.count, 0)).toBe(120);
    expect(peer.best.accuracy).toBe(Math.max(...peer.epochs.map((e) => e.test?.accuracy ?? -1)));
    expect(dml.epochs[1]?.terms['peer1.kl']).toBeGreaterThan(0);
  });

  it('measures an online student against its online teacher, but not the online teacher against itself', () => {
    expect(record('BD-KD online').last.agreement).toBeGreaterThan(0);
    expect(record('BD-KD online teacher').last.agreement).toBeUndefined();
    expect(record('DML peer 16').last.agreement).toBeUndefined();
  });

  it('reports every BYOT head and the ensemble beside the deepest classifier', () => {
    const deepest = record('BYOT');
    const head = record('BYOT [head:hidden1]');
    const ensemble = record('BYOT ensemble');
    expect(deepest.params.model).toBe(mlpParams([784, 16, 12, 8, 10]));
    expect(deepest.params.extra).toBeGreaterThan(0);
    // a head is not a model of its own: it reports the whole trained system
    expect(head.params).toEqual(deepest.params);
    for (const r of [deepest, head, ensemble]) expect(r.last.count).toBe(120);
    expect(new Set([deepest, head, ensemble].map((r) => r.last.nll)).size).toBe(3);
  });

  it('chains a learner through an assistant row whose saved model reloads with its recorded accuracy', async () => {
    const assistant = record('assistant');
    const takd = record('TAKD');
    expect(takd.config.teacher?.runId).toBe(assistant.runId);
    expect(takd.last.agreement).toBeGreaterThan(0);
    const task = result.plan.tasks.find((t) => t.rowId === 'assistant')!;
    expect(existsSync(join(task.saveFolder!, 'model.json'))).toBe(true);
    const model = await loadTeacher(task.config.model, task.config.view, task.config.modelSeed, 10, task.saveFolder!);
    const metrics = await evaluateModels({ assistant: model }, inView(loadMnist({ split: 'test', limit: 120 }), 'flattened'));
    expect(metrics['assistant']!.accuracy).toBe(assistant.last.accuracy);
    model.dispose();
  });

  it('distils a born-again generation from its parent row and a student from a white-box and a black-box teacher', () => {
    const generation = record('generation 1');
    expect(generation.config.teacher?.runId).toBe(record('plain').runId);
    expect(generation.config.modelSeed).toBe(record('plain').config.modelSeed + 100);
    expect(generation.last.agreement).toBeGreaterThan(0);
    const multi = record('multi');
    expect(multi.config.teachers?.map((t) => [t.runId, t.blackBox])).toEqual([
      [record('teacher').runId, undefined],
      [record('second teacher').runId, true],
    ]);
    expect(multi.last.agreement).toBeGreaterThan(0);
    expect(multi.epochs[0]?.terms['total']).toBeGreaterThan(0);
  });

  it('recomputes nothing on a second invocation', async () => {
    const again = await runSuite(suite, { outDir: out, workers: 0, backend: 'cpu' });
    expect([again.outcome.reused.length, again.outcome.computed.length]).toEqual([16, 0]);
    expect(again.report.tables).toBe(result.report.tables);
  });
});
