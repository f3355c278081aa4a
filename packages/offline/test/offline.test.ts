import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClassCountMismatchError,
  ConfigError,
  MissingFeatureError,
  TeacherAccessError,
  Trainer,
  type KnowledgeLoss,
  type LossTerms,
} from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { describeSchemeConformance, fitTinyModel, tinyDataset, tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import { offlineDistillation, withClassBias, TeacherLogitCache } from '../src/index.js';

const SGD = { name: 'sgd', learningRate: 0.1 } as const;
const ADAM = { name: 'adam', learningRate: 0.02 } as const;

function trainedTeacher(seed = 1) {
  const dataset = tinyDataset({ size: 96, features: 4, classes: 3, seed });
  const model = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed, name: 'teacher' });
  fitTinyModel(model, dataset, { epochs: 15, learningRate: 0.05, seed });
  return { model, dataset };
}

/** a feature loss stand-in: needs a white-box teacher and a tap called "hidden0" on both sides */
function featureMatch(tap = 'hidden0'): KnowledgeLoss {
  return {
    name: 'feature-match',
    requires: { teacher: 'white-box', studentFeatures: [tap], teacherFeatures: [tap] },
    compute: (context): LossTerms => ({
      featureMatch: tf.losses.meanSquaredError(context.teacher!.features[tap]!, context.student.features[tap]!) as tf.Scalar,
    }),
  };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describeSchemeConformance('offline KD (cached teacher)', {
  steps: 60,
  create: () => {
    const { model, dataset } = trainedTeacher(3);
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 9, name: 'student' });
    return {
      scheme: offlineDistillation({ teacher: tinyTeacher(model), student, losses: [{ loss: kdLoss({ temperature: 4 }), weight: 1 }], alpha: 0.9, optimizer: ADAM }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => {
        model.dispose();
        student.dispose();
      },
    };
  },
});

describeSchemeConformance('offline KD with a feature loss (live teacher)', {
  steps: 60,
  create: () => {
    const { model, dataset } = trainedTeacher(4);
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 5, name: 'student' });
    return {
      scheme: offlineDistillation({
        teacher: tinyTeacher(model),
        student,
        losses: [
          { loss: kdLoss(), weight: 1 },
          { loss: featureMatch(), weight: 0.5 },
        ],
        optimizer: ADAM,
      }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => {
        model.dispose();
        student.dispose();
      },
    };
  },
});

describe('offline KD behaviour', () => {
  it('caches exactly the logits a live teacher gives', async () => {
    const { model, dataset } = trainedTeacher(2);
    const teacher = tinyTeacher(model);
    const cache = await TeacherLogitCache.build(teacher, dataset, 7);
    for (const batch of dataset.batches({ batchSize: 10, shuffle: true, seed: 4, epoch: 1 })) {
      const cached = cache.lookup(batch.index);
      const live = teacher.predictLogits(batch.x);
      expect(Array.from(await cached.data())).toEqual(Array.from(await live.data()));
      tf.dispose([cached, live, batch.x, batch.y, batch.index]);
    }
    cache.dispose();
    model.dispose();
  });

  it('a distilled student agrees with its teacher more than an untrained one', async () => {
    const { model, dataset } = trainedTeacher(6);
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 11 });
    const scheme = offlineDistillation({ teacher: tinyTeacher(model), student, losses: [{ loss: kdLoss(), weight: 1 }], alpha: 1, optimizer: ADAM });
    const before = await new Trainer({ scheme: offlineDistillation({ teacher: tinyTeacher(model), student, losses: [{ loss: kdLoss(), weight: 1 }], alpha: 1, optimizer: { name: 'sgd', learningRate: 1e-9 } }), train: dataset, evaluation: dataset, epochs: 1, batchSize: 32, seed: 1 }).fit();
    const after = await new Trainer({ scheme, train: dataset, evaluation: dataset, epochs: 10, batchSize: 16, seed: 1 }).fit();
    expect(after.final!.metrics['student']!.agreement!).toBeGreaterThan(0.9);
    expect(after.final!.metrics['student']!.agreement!).toBeGreaterThan(before.final!.metrics['student']!.agreement!);
    model.dispose();
    student.dispose();
  });

  it('works with a black-box teacher for response-based losses', async () => {
    const { model, dataset } = trainedTeacher(7);
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 2 });
    const result = await new Trainer({
      scheme: offlineDistillation({ teacher: tinyTeacher(model, 'black-box'), student, losses: [{ loss: kdLoss(), weight: 1 }], optimizer: ADAM }),
      train: dataset,
      evaluation: dataset,
      epochs: 8,
      batchSize: 16,
      seed: 1,
    }).fit();
    expect(result.final!.metrics['student']!.accuracy).toBeGreaterThan(0.8);
    model.dispose();
    student.dispose();
  });
});

describe('offline KD misuse fails before training', () => {
  const dataset = tinyDataset({ size: 32, features: 4, classes: 3 });
  const run = (scheme: ReturnType<typeof offlineDistillation>) => new Trainer({ scheme, train: dataset, epochs: 1, batchSize: 8, seed: 1 }).fit();

  it('rejects teacher and student with different class counts', async () => {
    const teacher = tinyTeacher(tinyDenseModel({ inputSize: 4, numClasses: 4 }));
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    await expect(run(offlineDistillation({ teacher, student, losses: [{ loss: kdLoss(), weight: 1 }], optimizer: SGD }))).rejects.toBeInstanceOf(ClassCountMismatchError);
  });

  it('rejects alpha outside [0, 1] and negative loss weights', () => {
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    expect(() => offlineDistillation({ student, losses: [{ loss: kdLoss(), weight: 1 }], alpha: 1.5, optimizer: SGD })).toThrow(ConfigError);
    expect(() => offlineDistillation({ student, losses: [{ loss: kdLoss(), weight: 1 }], alpha: -0.1, optimizer: SGD })).toThrow(/\[0, 1\]/);
    expect(() => offlineDistillation({ student, losses: [{ loss: kdLoss(), weight: -1 }], optimizer: SGD })).toThrow(ConfigError);
  });

  it('rejects a temperature <= 0', () => {
    expect(() => kdLoss({ temperature: 0 })).toThrow(ConfigError);
    expect(() => kdLoss({ temperature: -2 })).toThrow(/temperature/);
  });

  it('rejects a distillation loss without a teacher', async () => {
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    await expect(run(offlineDistillation({ student, losses: [{ loss: kdLoss(), weight: 1 }], optimizer: SGD }))).rejects.toThrow(/none was given/);
  });

  it('rejects a feature tap the model lacks', async () => {
    const teacher = tinyTeacher(tinyDenseModel({ inputSize: 4, numClasses: 3 }));
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    await expect(run(offlineDistillation({ teacher, student, losses: [{ loss: featureMatch('block9'), weight: 1 }], optimizer: SGD }))).rejects.toBeInstanceOf(MissingFeatureError);
  });

  it('rejects a feature loss with a black-box teacher', async () => {
    const teacher = tinyTeacher(tinyDenseModel({ inputSize: 4, numClasses: 3 }), 'black-box');
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3 });
    await expect(run(offlineDistillation({ teacher, student, losses: [{ loss: featureMatch(), weight: 1 }], optimizer: SGD }))).rejects.toBeInstanceOf(TeacherAccessError);
  });
});

describe('withClassBias', () => {
  it('adds the offsets to the chosen logits only', async () => {
    const model = tinyDenseModel({ inputSize: 4, numClasses: 3, seed: 3 });
    const biased = withClassBias(model, { 1: 3.5, 2: -7.6 });
    const x = tf.ones([2, 4]);
    const difference = await tf.sub(biased.predictLogits(x), model.predictLogits(x)).array();
    for (const row of difference as number[][]) {
      expect(row[0]).toBeCloseTo(0, 5);
      expect(row[1]).toBeCloseTo(3.5, 5);
      expect(row[2]).toBeCloseTo(-7.6, 5);
    }
    expect(() => withClassBias(model, { 5: 1 })).toThrow(ConfigError);
    model.dispose();
  });
});
