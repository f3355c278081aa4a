import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, Trainer, type ModelOutputs } from '@distillery/core';
import { tinyTeacher, useBackend } from '@distillery/testkit';
import multiTeacherPlugin, { multiTeacherDistillation, teacherEnsemble } from '../src/index.js';
import { FeatureKnowledge } from '../src/feature-term.js';
import { ADAM, disposeAll, headAfterFirstHidden, teachersAndStudent } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('CA-MKD feature term', () => {
  it('is mean_i sum_j w_ij mse_ij with w from the heads\' CE on the regressed student features (hand check)', async () => {
    const { small, deep, student } = teachersAndStudent(21);
    const teachers = [tinyTeacher(small), tinyTeacher(deep)];
    const heads = [headAfterFirstHidden(small), headAfterFirstHidden(deep)];
    const knowledge = new FeatureKnowledge(
      { studentFeature: 'hidden0', weighting: 'confidence', activation: 'relu', teachers: [0, 1].map((teacher) => ({ teacher, feature: 'hidden0', head: heads[teacher]! })) },
      teachers,
    );
    const x = tf.tensor2d([
      [0.5, -1, 2, 0],
      [1, 1, -1, 0.3],
      [-2, 0.1, 0.4, 1],
    ]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const studentOutputs = student.forward(x, { training: false });
    const teacherOutputs = new Map<number, ModelOutputs>(teachers.map((t, i) => [i, t.forward(x)]));
    knowledge.prepare({
      numClasses: 3,
      datasetSize: 3,
      seed: 5,
      studentShapes: { hidden0: [8] },
      teacherShapes: new Map<number, Record<string, number[]>>([
        [0, { hidden0: [16] }],
        [1, { hidden0: [12], hidden1: [10] }],
      ]),
    });
    const progress = { epoch: 0, step: 0, fraction: 0 };
    const value = (await knowledge.compute({ student: studentOutputs, teachers: teacherOutputs, base: { labels, indices: tf.tensor1d([0, 1, 2], 'int32'), numClasses: 3, progress } }).data())[0] as number;

    // Recompute by hand from the regressor weights, heads and features read back into JS.
    const variables = knowledge.variables();
    const hs = (await studentOutputs.features['hidden0']!.array()) as number[][];
    const perTeacher = await Promise.all(
      [0, 1].map(async (j) => {
        const kernel = (await variables[`feature/${j}-${teachers[j]!.name}/kernel`]!.array()) as number[][];
        const bias = (await variables[`feature/${j}-${teachers[j]!.name}/bias`]!.array()) as number[];
        const regressed = hs.map((row) => bias.map((b, o) => Math.max(0, b + row.reduce((s, v, i) => s + v * kernel[i]![o]!, 0))));
        const target = (await teacherOutputs.get(j)!.features['hidden0']!.array()) as number[][];
        const mse = regressed.map((row, n) => row.reduce((s, v, o) => s + (v - target[n]![o]!) ** 2, 0) / row.length);
        const logits = (await heads[j]!(tf.tensor2d(regressed)).array()) as number[][];
        const ce = logits.map((z, n) => {
          const m = Math.max(...z);
          const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
          return lse - z[[0, 1, 2][n]!]!;
        });
        return { mse, ce };
      }),
    );
    let expected = 0;
    for (let n = 0; n < 3; n++) {
      const [a, b] = perTeacher as [{ mse: number[]; ce: number[] }, { mse: number[]; ce: number[] }];
      const wA = 1 - Math.exp(a.ce[n]!) / (Math.exp(a.ce[n]!) + Math.exp(b.ce[n]!));
      expected += wA * a.mse[n]! + (1 - wA) * b.mse[n]!;
    }
    expect(value).toBeCloseTo(expected / 3, 4);
    knowledge.dispose();
    disposeAll(small, deep, student);
  });
});

describe('multi-teacher training', () => {
  it('a student distilled from two teachers agrees with their ensemble', async () => {
    const { dataset, small, deep, student } = teachersAndStudent(22);
    const teachers = [tinyTeacher(small), tinyTeacher(deep, 'black-box')];
    const scheme = multiTeacherDistillation({ teachers, student, aggregation: 'mean-kl', alpha: 1, optimizer: ADAM });
    expect(scheme.referenceModel().name).toBe(teacherEnsemble(teachers, 'arithmetic').name);
    const result = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 8, batchSize: 16, seed: 1 }).fit();
    expect(result.final!.metrics['student']!.agreement!).toBeGreaterThan(0.9);
    expect(Object.keys(result.final!.terms).sort()).toEqual(['ce', 'kd', 'total']);
    scheme.dispose();
    disposeAll(small, deep, student);
  });

  it('is registered as "multi-teacher" and built from JSON-safe options', async () => {
    const { dataset, small, deep, student } = teachersAndStudent(23);
    const registry = new Registry().register(multiTeacherPlugin);
    const scheme = registry.scheme('multi-teacher').create(
      { teachers: [tinyTeacher(small), tinyTeacher(deep)], students: [student], losses: [], optimizer: ADAM },
      { aggregation: 'ca-mkd', featureTeachers: [1], teacherFeatures: ['hidden1'], studentFeature: 'hidden0' },
    );
    const result = await new Trainer({ scheme, train: dataset, epochs: 1, batchSize: 32, seed: 1 }).fit();
    expect(Object.keys(result.final!.terms).sort()).toEqual(['ce', 'feature', 'kd', 'total']);
    expect(Object.keys(scheme.trackables().variables)).toContain('feature/1-deep-teacher/kernel');
    scheme.dispose();
    disposeAll(small, deep, student);
  });
});
