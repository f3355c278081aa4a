import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassCountMismatchError, ConfigError, MissingFeatureError, TeacherAccessError, Trainer, type KnowledgeLoss } from '@distillery/core';
import { tinyDataset, tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import { caMkd, mixedKnowledge, multiTeacherDistillation, type MultiTeacherOptions } from '../src/index.js';

const SGD = { name: 'sgd', learningRate: 0.1 } as const;
const dataset = tinyDataset({ size: 32, features: 4, classes: 3 });
const model = (classes = 3, seed = 0) => tinyDenseModel({ inputSize: 4, numClasses: classes, seed });
const student = model();
const a = tinyTeacher(model(3, 1));
const b = tinyTeacher(model(3, 2));
const build = (options: Partial<MultiTeacherOptions>) => multiTeacherDistillation({ teachers: [a, b], student, optimizer: SGD, ...options });
const run = (scheme: ReturnType<typeof build>) => new Trainer({ scheme, train: dataset, epochs: 1, batchSize: 8, seed: 1 }).fit();

beforeAll(async () => {
  await useBackend('cpu');
});

describe('multi-teacher misuse fails before training', () => {
  it('rejects an empty teacher list', () => {
    expect(() => build({ teachers: [] })).toThrow(ConfigError);
    expect(() => build({ teachers: [] })).toThrow(/at least one teacher/);
  });

  it('rejects teachers with different class counts, and teachers that disagree with the dataset', async () => {
    expect(() => build({ teachers: [a, tinyTeacher(model(4))] })).toThrow(ClassCountMismatchError);
    const four = tinyTeacher(model(4, 3));
    await expect(run(build({ teachers: [four, tinyTeacher(model(4, 4))] }))).rejects.toBeInstanceOf(ClassCountMismatchError);
  });

  it('validates fixed weights: one per teacher, non-negative, summing to 1', () => {
    expect(() => build({ aggregation: 'weights' })).toThrow(/needs `weights`/);
    expect(() => build({ aggregation: 'weights', weights: [0.5] })).toThrow(/2 response teachers/);
    expect(() => build({ aggregation: 'weights', weights: [1.5, -0.5] })).toThrow(/>= 0/);
    expect(() => build({ aggregation: 'weights', weights: [0.5, 0.6] })).toThrow(/sum to 1/);
    expect(() => build({ aggregation: 'weights', weights: [0.1 + 0.2, 0.7] })).not.toThrow();
    expect(() => build({ aggregation: 'mean-kl', weights: [0.5, 0.5] })).toThrow(ConfigError);
  });

  it('rejects CA-MKD with one teacher, unknown aggregations and out-of-range settings', () => {
    expect(() => build({ teachers: [a], aggregation: 'ca-mkd' })).toThrow(/at least two/);
    expect(() => build({ aggregation: 'median' as never })).toThrow(/unknown/);
    expect(() => build({ temperature: 0 })).toThrow(ConfigError);
    expect(() => build({ alpha: 1.2 })).toThrow(/\[0, 1\]/);
    expect(() => build({ beta: -1 })).toThrow(ConfigError);
    expect(() => build({ responseTeachers: [2] })).toThrow(/teacher index/);
    expect(() => build({ responseTeachers: [] })).toThrow(ConfigError);
  });

  it('rejects feature knowledge from a black-box teacher', () => {
    const blackBox = tinyTeacher(model(3, 5), 'black-box');
    expect(() => mixedKnowledge({ responseTeacher: a, featureTeacher: blackBox, student, studentFeature: 'hidden0', teacherFeature: 'hidden0', optimizer: SGD })).toThrow(TeacherAccessError);
  });

  it('rejects feature taps the models lack, before the first step', async () => {
    await expect(run(mixedKnowledge({ responseTeacher: a, featureTeacher: b, student, studentFeature: 'hidden0', teacherFeature: 'block9', optimizer: SGD }))).rejects.toBeInstanceOf(MissingFeatureError);
    await expect(run(mixedKnowledge({ responseTeacher: a, featureTeacher: b, student, studentFeature: 'nope', teacherFeature: 'hidden0', optimizer: SGD }))).rejects.toBeInstanceOf(MissingFeatureError);
  });

  it('rejects inconsistent feature specifications', () => {
    expect(() => build({ features: { teachers: [] } })).toThrow(/empty/);
    expect(() => build({ features: { teachers: [{ teacher: 0 }] } })).toThrow(/exactly one/);
    expect(() => build({ features: { teachers: [{ teacher: 0, feature: 'hidden0' }] } })).toThrow(/studentFeature/);
    const custom: KnowledgeLoss = { name: 'custom', requires: { teacher: 'white-box' }, compute: () => ({ custom: tf.scalar(0) }) };
    expect(() => build({ features: { weighting: 'confidence', teachers: [{ teacher: 0, loss: custom }] } })).toThrow(/per-sample/);
    expect(() => caMkd({ teachers: [a, b], student, optimizer: SGD, features: { studentFeature: 'hidden0', teacherFeatures: ['hidden0'] } })).toThrow(/one tap per teacher/);
  });

  it('runs a custom feature loss with the feature teacher as context.teacher', async () => {
    let seenTeacherFeature = false;
    const custom: KnowledgeLoss = {
      name: 'probe',
      requires: { teacher: 'white-box', teacherFeatures: ['hidden0'], studentFeatures: ['hidden0'] },
      compute: (context) => {
        seenTeacherFeature = context.teacher?.features['hidden0'] !== undefined;
        return { probe: tf.mean(tf.square(tf.sub(context.student.features['hidden0']!, context.teacher!.features['hidden0']!))) as tf.Scalar };
      },
    };
    const result = await run(mixedKnowledge({ responseTeacher: a, featureTeacher: b, student, featureLoss: custom, optimizer: SGD }));
    expect(seenTeacherFeature).toBe(true);
    expect(result.final!.terms['feature']).toBeGreaterThan(0);
  });
});
