import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClassCountMismatchError, ConfigError, EmptyDatasetError, type TrainableModel } from '@distillery/core';
import { tinyDataset, tinyDenseModel, useBackend } from '@distillery/testkit';
import { compareAssistants, disposeChain, runChain, type CapacityWarning, type ChainLink } from '../src/index.js';

const ADAM = { name: 'adam', learningRate: 0.03 } as const;
const dataset = tinyDataset({ size: 96, features: 4, classes: 3, seed: 5 });
const heldOut = tinyDataset({ size: 48, features: 4, classes: 3, seed: 5, name: 'held-out' });
const dense = (hidden: number[], name: string) => (seed: number) => tinyDenseModel({ inputSize: 4, numClasses: 3, hidden, seed, name });

function bytes(model: TrainableModel): number[] {
  return model.trainableVariables().flatMap((v) => Array.from(v.dataSync()));
}

beforeAll(async () => {
  await useBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TAKD chain', () => {
  it('runs 3 links end to end; each link\'s teacher is the previous link\'s model, frozen while it teaches', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const snapshots = new Map<TrainableModel, number[]>();
    const frozenChecks: boolean[] = [];
    const result = await runChain({
      stages: [dense([32, 32], 'teacher'), dense([16], 'ta-16'), dense([8], 'ta-8'), dense([4], 'student')],
      train: dataset,
      evaluation: heldOut,
      epochs: [3, 3, 4],
      teacherEpochs: 5,
      batchSize: 16,
      optimizer: ADAM,
      kd: { temperature: 4, alpha: 0.7 },
      seed: 3,
      onLinkEnd: (link: ChainLink) => {
        const before = snapshots.get(link.teacher);
        if (before) frozenChecks.push(before.every((v, i) => v === bytes(link.teacher)[i]));
        snapshots.set(link.student, bytes(link.student));
      },
    });
    expect(result.links.map((link) => link.index)).toEqual([1, 2, 3]);
    expect(result.links[0]!.teacher).toBe(result.teacher.model);
    for (let i = 1; i < result.links.length; i++) expect(result.links[i]!.teacher).toBe(result.links[i - 1]!.student);
    expect(result.student).toBe(result.links[2]!.student);
    expect(result.links.map((link) => link.student.name)).toEqual(['ta-16', 'ta-8', 'student']);
    expect(result.links.map((link) => link.result.history.length)).toEqual([3, 3, 4]);
    expect(result.teacher.result?.history.length).toBe(5);
    expect(frozenChecks).toEqual([true, true]);
    // params fall along the chain: no capacity warnings
    expect(result.warnings).toEqual([]);
    expect(result.links.map((l) => l.studentParams)).toEqual([4 * 16 + 16 + 16 * 3 + 3, 4 * 8 + 8 + 8 * 3 + 3, 4 * 4 + 4 + 4 * 3 + 3]);
    for (const link of result.links) {
      const metrics = link.result.final!.metrics['student']!;
      expect(metrics.accuracy).toBeGreaterThan(0.6);
      // agreement is measured against that link's teacher
      expect(metrics.agreement).toBeGreaterThan(0.6);
    }
    disposeChain(result);
    // every link's scheme, optimiser and teacher cache was released; the models were the last tensors
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('warns (testably) when an assistant has more parameters than its teacher', async () => {
    const warnings: CapacityWarning[] = [];
    const teacher = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [4], seed: 1, name: 'small-teacher' });
    const result = await runChain({ stages: [teacher, dense([32], 'big-assistant'), dense([4], 'student')], train: dataset, epochs: 1, batchSize: 48, optimizer: ADAM, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'ASSISTANT_LARGER_THAN_TEACHER', link: 1, teacher: 'small-teacher', learner: 'big-assistant', teacherParams: 35, learnerParams: 4 * 32 + 32 + 32 * 3 + 3 });
    expect(result.warnings).toEqual(warnings);
    // a model given as the first stage is assumed trained: no teacher run
    expect(result.teacher.result).toBeUndefined();
    disposeChain(result);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const again = await runChain({ stages: [dense([4], 't'), dense([32], 'a'), dense([2], 's')], train: dataset, epochs: 1, batchSize: 48, optimizer: ADAM });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/more than its teacher/);
    disposeChain(again);
  });

  it('rejects misuse before any training', async () => {
    const factoryCalls: string[] = [];
    const tracked = (name: string, classes = 3) => (seed: number) => (factoryCalls.push(name), tinyDenseModel({ inputSize: 4, numClasses: classes, seed, name }));
    await expect(runChain({ stages: [dense([8], 't')], train: dataset, epochs: 1, optimizer: ADAM })).rejects.toBeInstanceOf(ConfigError);
    await expect(runChain({ stages: [tracked('t'), tracked('a', 4), tracked('s')], train: dataset, epochs: 1, optimizer: ADAM })).rejects.toBeInstanceOf(ClassCountMismatchError);
    expect(factoryCalls).toEqual(['t', 'a', 's']);
    await expect(runChain({ stages: [dense([8], 't'), dense([4], 's')], train: dataset, epochs: [1, 2], optimizer: ADAM })).rejects.toThrow(/epoch counts/);
    const empty = tinyDataset({ size: 0, name: 'empty' });
    await expect(runChain({ stages: [dense([8], 't'), dense([4], 's')], train: dataset, evaluation: empty, epochs: 1, optimizer: ADAM })).rejects.toBeInstanceOf(EmptyDatasetError);
  });
});

describe('compareAssistants', () => {
  it('trains every candidate, ranks them by the student\'s held-out accuracy and includes the direct baseline', async () => {
    const result = await compareAssistants({
      teacher: dense([32, 32], 'teacher'),
      student: dense([4], 'student'),
      candidates: [dense([16], 'ta-16'), dense([8], 'ta-8')],
      train: dataset,
      evaluation: heldOut,
      epochs: 3,
      teacherEpochs: 5,
      batchSize: 16,
      optimizer: ADAM,
      seed: 2,
    });
    expect(result.ranking.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(result.ranking.map((r) => r.name).sort()).toEqual(['direct', 'ta-16', 'ta-8']);
    for (let i = 1; i < result.ranking.length; i++) expect(result.ranking[i - 1]!.studentAccuracy).toBeGreaterThanOrEqual(result.ranking[i]!.studentAccuracy);
    expect(result.best).toBe(result.ranking[0]);
    const ta16 = result.ranking.find((r) => r.name === 'ta-16')!;
    expect(ta16.candidate).toBe(0);
    expect(ta16.assistantParams).toBe(4 * 16 + 16 + 16 * 3 + 3);
    expect(ta16.assistantAccuracy).toBeGreaterThan(0.6);
    expect(result.ranking.find((r) => r.name === 'direct')!.assistantParams).toBeUndefined();
    expect(result.teacher.result?.final?.terms['ce']).toBeGreaterThan(0);
    result.teacher.model.dispose();
  });

  it('needs candidates and a non-empty evaluation set', async () => {
    const base = { teacher: dense([8], 't'), student: dense([4], 's'), train: dataset, epochs: 1, optimizer: ADAM };
    await expect(compareAssistants({ ...base, candidates: [], evaluation: heldOut })).rejects.toThrow(/no candidate/);
    await expect(compareAssistants({ ...base, candidates: [dense([6], 'a')], evaluation: tinyDataset({ size: 0 }) })).rejects.toBeInstanceOf(EmptyDatasetError);
  });
});
