import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type TrainableModel } from '@distillery/core';
import { tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import { bornAgainGeneration, ensembleTeacher, runBornAgain } from '../src/index.js';
import { ADAM, blobs, softmax } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const architecture = (generation: number): TrainableModel => tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 100 + generation, name: `gen${generation}` });

describe('runBornAgain', () => {
  it('generation 1 learns from generation 0: it never sees a label (alpha = 1) yet agrees with it far above chance', async () => {
    const train = blobs(20, 96);
    // tinyDataset draws its class centres from the seed: evaluate on the training problem itself
    const evaluation = train;
    const created: TrainableModel[] = [];
    const result = await runBornAgain({
      createModel: (g) => {
        const model = architecture(g);
        created.push(model);
        return model;
      },
      generations: 2,
      train,
      evaluation,
      epochs: 8,
      batchSize: 16,
      seed: 3,
      optimizer: ADAM,
    });
    expect(result.generations.map((g) => g.generation)).toEqual([0, 1]);
    expect(result.generations.map((g) => g.model)).toEqual(created);
    const [gen0, gen1] = result.generations;
    expect(gen0!.result.final!.metrics['student']!.accuracy).toBeGreaterThan(0.85);
    // generation 0 has no teacher, so no agreement; generation 1's is measured against generation 0
    expect(gen0!.result.final!.metrics['student']!.agreement).toBeUndefined();
    const agreement = gen1!.result.final!.metrics['student']!.agreement as number;
    expect(agreement).toBeGreaterThan(0.9);
    expect(agreement).toBeGreaterThan(1 / 3 + 0.5);
    expect(result.ensembleMetrics!.accuracy).toBeGreaterThan(0.85);
    expect(result.ensemble.name).toBe('ensemble(gen0, gen1)');
    result.generations.forEach((g) => g.model.dispose());
  });

  it('rejects a generation count below 1 (or not an integer) before building anything', async () => {
    let built = 0;
    const createModel = (g: number) => {
      built += 1;
      return architecture(g);
    };
    const base = { createModel, train: blobs(1), epochs: 1, batchSize: 16, seed: 1, optimizer: ADAM };
    await expect(runBornAgain({ ...base, generations: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(runBornAgain({ ...base, generations: -2 })).rejects.toThrow(/generations >= 1/);
    await expect(runBornAgain({ ...base, generations: 1.5 })).rejects.toThrow(ConfigError);
    expect(built).toBe(0);
  });

  it('disposes every model it built when a generation fails', async () => {
    const created: TrainableModel[] = [];
    const run = runBornAgain({
      createModel: (g) => {
        // generation 1 comes out with the wrong class count: its prepare must fail
        const model = g === 0 ? architecture(0) : tinyDenseModel({ inputSize: 4, numClasses: 4, seed: 9 });
        created.push(model);
        return model;
      },
      generations: 3,
      train: blobs(2),
      epochs: 1,
      batchSize: 16,
      seed: 1,
      optimizer: ADAM,
    });
    await expect(run).rejects.toThrow(/classes/);
    expect(created).toHaveLength(2);
    expect(created.flatMap((m) => m.trainableVariables()).every((v) => v.isDisposed)).toBe(true);
  });
});

describe('bornAgainGeneration', () => {
  it('teaches from the last generation, or from the mean probability of all of them', async () => {
    const [a, b, student] = [architecture(0), architecture(1), architecture(2)];
    const previous = [tinyTeacher(a), tinyTeacher(b)];
    const fromLast = bornAgainGeneration({ previous, student, optimizer: ADAM });
    const fromAll = bornAgainGeneration({ previous, student, optimizer: ADAM, teacher: 'ensemble' });
    expect(fromLast.name).toBe('born-again');
    expect(fromLast.referenceModel()!.name).toBe(previous[1]!.name);
    const ensemble = fromAll.referenceModel()!;
    const x = tf.tensor2d([[0.5, -1, 2, 0.1], [1, 1, -1, 0]]);
    const [za, zb, ze] = [a.predictLogits(x), b.predictLogits(x), ensemble.predictLogits(x)].map((t) => t.arraySync() as number[][]);
    za!.forEach((row, i) => {
      const expected = softmax(row).map((p, c) => Math.log((p + (softmax(zb![i] as number[])[c] as number)) / 2));
      expected.forEach((v, c) => expect(ze![i]![c]).toBeCloseTo(v, 5));
    });
    expect(ensembleTeacher(previous).access).toBe('black-box');
    x.dispose();
    [fromLast, fromAll].forEach((s) => s.dispose());
    [a, b, student].forEach((m) => m.dispose());
  });

  it('rejects bad options and generations with other class counts', () => {
    const [a, student] = [architecture(0), architecture(1)];
    const other = tinyDenseModel({ inputSize: 4, numClasses: 5, seed: 1 });
    expect(() => bornAgainGeneration({ previous: [tinyTeacher(a)], student, optimizer: ADAM, alpha: 2 })).toThrow(/alpha/);
    expect(() => bornAgainGeneration({ previous: [tinyTeacher(a)], student, optimizer: ADAM, temperature: 0 })).toThrow(/temperature/);
    expect(() => bornAgainGeneration({ previous: [tinyTeacher(a)], student, optimizer: ADAM, teacher: 'best' as never })).toThrow(/teacher/);
    expect(() => bornAgainGeneration({ previous: [tinyTeacher(other)], student, optimizer: ADAM })).toThrow(ConfigError);
    [a, student, other].forEach((m) => m.dispose());
  });
});
