import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { evaluateModels, selectBackend } from '@distillery/core';
import { loadMnist } from '@distillery/data/node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inView, trainingImages } from '../src/data/suite-data.js';
import { loadTeacher } from '../src/models/teacher-store.js';
import { createRegistry } from '../src/registry.js';
import { biasProbabilities } from '../src/runner/class-bias.js';
import { runSuite, type SuiteRunResult } from '../src/runner/run-suite.js';
import { validateSuite } from '../src/suites/load-suite.js';

// A LeNet-5 teacher (32x32 view) teaching an MLP student (784 view), with a class-bias evaluation.
const SUITE = `
name: mixed
description: LeNet-5 teacher, MLP student
dataset: { name: mnist, trainLimit: 200, testLimit: 150 }
models:
  teacher: { type: lenet5, variant: half-dafl }
  student: { type: mlp, hidden: [16] }
teachers: [{ id: teacher, model: teacher }]
methods:
  - { id: student alone, student: student }
  - { id: KD, student: student, losses: [{ name: kd, options: { temperature: 3 } }], alpha: 0.7, classBias: { offsets: { "3": 2 } } }
seeds: [5]
epochs: { teacher: 1, student: 2 }
batchSize: 50
optimizer: { name: adam, learningRate: 0.002 }
`;

describe('runs in the main thread (workers: 0)', () => {
  let result: SuiteRunResult;
  let tensorsBefore = 0;
  const out = mkdtempSync(join(tmpdir(), 'bench-inline-'));
  const suite = validateSuite(parse(SUITE), createRegistry(), 'mixed.yaml');

  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
    tensorsBefore = tf.memory().numTensors;
    result = await runSuite(suite, { outDir: out, workers: 0, backend: 'cpu' });
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains every run once, leaks no tensors and writes results, reports and the teacher', () => {
    expect(result.outcome.computed).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const lines = readFileSync(result.paths.results, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const file of [result.paths.markdown, result.paths.html, result.paths.json, join(result.paths.charts, 'reliability.svg')]) expect(existsSync(file)).toBe(true);
    const teacherTask = result.plan.tasks[0]!;
    expect(existsSync(join(teacherTask.saveFolder!, 'model.json'))).toBe(true);
  });

  it('records per-epoch metrics, best and last epoch, parameters and throughput', () => {
    const kd = result.report.json.runs.find((r) => r.row === 'KD')!;
    expect(kd.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(kd.last).toEqual(kd.epochs[1]!.test);
    expect(kd.best.accuracy).toBe(Math.max(...kd.epochs.map((e) => e.test!.accuracy)));
    expect(kd.params).toEqual({ model: 784 * 16 + 16 + 16 * 10 + 10, extra: 0 });
    expect(kd.trainSize).toBe(200);
    expect(kd.testSize).toBe(150);
    expect(kd.samplesPerSecond).toBeGreaterThan(0);
    expect(kd.last.agreement).toBeGreaterThan(0);
    expect(kd.reliability.reduce((sum, b) => sum + b.count, 0)).toBe(150);
    expect(kd.config.teacher?.view).toBe('padded32');
    expect(kd.classBias?.count).toBe(150);
  });

  it('reloads the saved teacher with the same test accuracy it was recorded with', async () => {
    const teacherRecord = result.report.json.runs.find((r) => r.role === 'teacher')!;
    const task = result.plan.tasks[0]!;
    const model = await loadTeacher(task.config.model, task.config.view, task.config.modelSeed, 10, task.saveFolder!);
    // the test split's first 150 images in the teacher's view, as the run used them
    const metrics = await evaluateModels({ teacher: model }, inView(loadMnist({ split: 'test', limit: 150 }), 'padded32'));
    expect(metrics['teacher']!.accuracy).toBe(teacherRecord.last.accuracy);
    // and the training subset the run saw
    expect(trainingImages({ dataset: { name: 'mnist' }, data: { trainLimit: 200 }, seed: 5 }).size).toBe(teacherRecord.trainSize);
    model.dispose();
  });

  it('summarises the class-bias evaluation as its own row, and a second invocation recomputes nothing', async () => {
    expect(result.report.rows.map((r) => r.id)).toEqual(['teacher', 'student alone', 'KD', 'KD + class bias']);
    const again = await runSuite(suite, { outDir: out, workers: 0, backend: 'cpu' });
    expect([again.outcome.reused.length, again.outcome.computed.length]).toEqual([3, 0]);
    expect(again.report.tables).toBe(result.report.tables);
  });
});

describe('class-bias probabilities', () => {
  it('equal softmax(log p + b) computed by tfjs', () => {
    const logits = tf.tensor2d([[1, 2, 0.5, -1], [0, 0, 3, 1]]);
    const p = tf.softmax(logits).dataSync() as Float32Array;
    const expected = tf.softmax(logits.add(tf.tensor1d([0, 0, 0, 2.5]))).dataSync();
    const got = biasProbabilities(p, 4, { '3': 2.5 });
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    tf.dispose(logits);
  });
});
