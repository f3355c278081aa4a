import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, Trainer, type KnowledgeLoss, type Scheme, type TrainableModel } from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { thrownCode, tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import plugin, { adversarialDistillation, boundarySupportingDistillation, mlpDiscriminator, onlineAdversarialDistillation } from '../src/index.js';
import { PROGRESS, SGD, blobs, firstBatch, releaseBatch, student, trainedTeacherModel } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const kd = () => [{ loss: kdLoss(), weight: 1 }];

/** The code of the error a short training run rejects with (prepare runs before the first step). */
async function fitCode(scheme: Scheme, seed = 1): Promise<string> {
  try {
    await new Trainer({ scheme, train: blobs(seed), epochs: 1, batchSize: 16, seed }).fit();
    return 'nothing thrown';
  } catch (error) {
    return String((error as { code?: unknown }).code ?? error);
  } finally {
    scheme.dispose();
  }
}

describe('adversarial-kd refuses misuse before training, with typed errors', () => {
  let teacherModel: TrainableModel;
  beforeAll(() => {
    teacherModel = trainedTeacherModel(31).model;
  });
  afterAll(() => teacherModel.dispose());

  it('a black-box teacher with a discriminator over raw logits or a feature', async () => {
    const s = student(31, 16);
    const blackBox = tinyTeacher(teacherModel, 'black-box');
    expect(await fitCode(adversarialDistillation({ teacher: blackBox, student: s, losses: kd(), optimizer: SGD }))).toBe('TEACHER_ACCESS');
    expect(await fitCode(adversarialDistillation({ teacher: blackBox, student: s, losses: kd(), optimizer: SGD, discriminatorInput: { response: 'probabilities', studentFeature: 'hidden0' } }))).toBe('TEACHER_ACCESS');
    // log-probabilities need nothing a black-box teacher lacks
    expect(await fitCode(adversarialDistillation({ teacher: blackBox, student: s, losses: kd(), optimizer: SGD, discriminatorInput: { response: 'log-probabilities' } }))).toBe('nothing thrown');
    s.dispose();
  });

  it('a black-box teacher with a KD loss that needs features', async () => {
    const s = student(32);
    const featureLoss: KnowledgeLoss = { name: 'needs-features', requires: { teacher: 'white-box', teacherFeatures: ['hidden0'] }, compute: () => ({}) };
    const scheme = adversarialDistillation({ teacher: tinyTeacher(teacherModel, 'black-box'), student: s, losses: [{ loss: featureLoss, weight: 1 }], optimizer: SGD, discriminatorInput: { response: 'probabilities' } });
    expect(await fitCode(scheme)).toBe('TEACHER_ACCESS');
    s.dispose();
  });

  it('discriminator input sizes that differ between teacher and student, a missing tap, a discriminator of the wrong width', async () => {
    const narrow = student(33, 8); // hidden0 has 8 units, the teacher's 16
    const teacher = tinyTeacher(teacherModel);
    let message = '';
    try {
      const scheme = adversarialDistillation({ teacher, student: narrow, losses: kd(), optimizer: SGD, discriminatorInput: { studentFeature: 'hidden0' } });
      await new Trainer({ scheme, train: blobs(33), epochs: 1, batchSize: 16, seed: 1 }).fit().finally(() => scheme.dispose());
    } catch (error) {
      message = (error as Error).message;
      expect((error as { code: string }).code).toBe('CONFIG_INVALID');
    }
    expect(message).toMatch(/discriminator input sizes differ: the teacher side has 19 values per sample, the student side 11/);
    expect(await fitCode(adversarialDistillation({ teacher, student: narrow, losses: kd(), optimizer: SGD, discriminatorInput: { studentFeature: 'conv9' } }))).toBe('FEATURE_MISSING');
    const wrongWidth = mlpDiscriminator({ inputSize: 7, seed: 1 });
    expect(await fitCode(adversarialDistillation({ teacher, student: narrow, losses: kd(), optimizer: SGD, discriminator: wrongWidth }))).toBe('INPUT_SHAPE_MISMATCH');
    wrongWidth.dispose();
    narrow.dispose();
  });

  it('models that disagree with the data', async () => {
    const fourClasses = tinyDenseModel({ inputSize: 4, numClasses: 4, seed: 1, name: 'four' });
    const wideInput = tinyDenseModel({ inputSize: 5, numClasses: 3, seed: 1, name: 'wide' });
    const teacher = tinyTeacher(teacherModel);
    expect(await fitCode(adversarialDistillation({ teacher, student: fourClasses, losses: kd(), optimizer: SGD }))).toBe('CLASS_COUNT_MISMATCH');
    expect(await fitCode(adversarialDistillation({ teacher, student: wideInput, losses: kd(), optimizer: SGD }))).toBe('INPUT_SHAPE_MISMATCH');
    [fourClasses, wideInput].forEach((m) => m.dispose());
  });

  it('bad options, and a step before prepare', () => {
    const s = student(34);
    const teacher = tinyTeacher(teacherModel);
    const base = { teacher, student: s, losses: kd(), optimizer: SGD };
    expect(thrownCode(() => adversarialDistillation({ ...base, ganLoss: 'wasserstein' as never }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, adversarialWeight: -1 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, discriminatorSteps: 0 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, alpha: 1.5 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, losses: [], alpha: 0.5 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, losses: [{ loss: kdLoss(), weight: -2 }] }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => adversarialDistillation({ ...base, discriminatorInput: { response: 'none' } }))).toBe('CONFIG_INVALID');
    const batch = firstBatch(blobs(34));
    expect(() => adversarialDistillation(base).step(batch, PROGRESS)).toThrow(/before prepare/);
    releaseBatch(batch);
    s.dispose();
  });
});

describe('bss refuses misuse', () => {
  it('a black-box teacher, data outside the clamp range, bad options', async () => {
    const { model } = trainedTeacherModel(35);
    const s = student(35);
    expect(await fitCode(boundarySupportingDistillation({ teacher: tinyTeacher(model, 'black-box'), student: s, losses: kd(), optimizer: SGD, clampInputs: false }))).toBe('TEACHER_ACCESS');
    // the blobs span roughly [-5, 6]; the default range is [0, 1]
    let message = '';
    try {
      const scheme = boundarySupportingDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD });
      await new Trainer({ scheme, train: blobs(35), epochs: 1, batchSize: 16, seed: 1 }).fit().finally(() => scheme.dispose());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/outside inputRange \[0, 1\]/);
    const base = { teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD };
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, boundarySamples: 0 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, inputRange: [1, 0] }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, inputRange: [0] }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, stepRule: 'pgd' as never }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, targetClass: 'random' as never }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, boundaryDecayEnd: 2 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => boundarySupportingDistillation({ ...base, boundaryTemperature: 0 }))).toBe('CONFIG_INVALID');
    [model, s].forEach((m) => m.dispose());
  });
});

describe('adversarial-online refuses misuse', () => {
  it('the same model twice, or a class mismatch', () => {
    const s = student(36);
    const other = tinyDenseModel({ inputSize: 4, numClasses: 5, seed: 2, name: 'five' });
    expect(thrownCode(() => onlineAdversarialDistillation({ teacher: s, student: s, optimizer: SGD }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => onlineAdversarialDistillation({ teacher: other, student: s, optimizer: SGD }))).toBe('CLASS_COUNT_MISMATCH');
    expect(thrownCode(() => onlineAdversarialDistillation({ teacher: other, student: s, optimizer: SGD, teacherMimicryWeight: -1 }))).toBe('CLASS_COUNT_MISMATCH');
    const t = student(37);
    expect(thrownCode(() => onlineAdversarialDistillation({ teacher: t, student: s, optimizer: SGD, teacherMimicryWeight: -1 }))).toBe('CONFIG_INVALID');
    expect(thrownCode(() => onlineAdversarialDistillation({ teacher: t, student: s, optimizer: SGD, mimicryTemperature: 0 }))).toBe('CONFIG_INVALID');
    [s, other, t].forEach((m) => m.dispose());
  });
});

describe('registry inputs that do not fit a scheme', () => {
  it('names the expected inputs', () => {
    const registry = new Registry().register(plugin);
    const { model } = trainedTeacherModel(38);
    const [a, b] = [student(38), student(39)];
    const teacher = tinyTeacher(model);
    const inputs = { losses: [], optimizer: SGD };
    expect(() => registry.scheme('adversarial-kd').create({ ...inputs, teachers: [], students: [a] }, {})).toThrow(/exactly one frozen teacher/);
    expect(() => registry.scheme('bss').create({ ...inputs, teachers: [teacher], students: [a, b] }, {})).toThrow(/exactly one student/);
    expect(() => registry.scheme('adversarial-online').create({ ...inputs, teachers: [teacher], students: [a, b] }, {})).toThrow(/takes no frozen teacher/);
    expect(() => registry.scheme('adversarial-online').create({ ...inputs, teachers: [], students: [a] }, {})).toThrow(/exactly two models/);
    expect(thrownCode(() => registry.scheme('adversarial-kd').create({ ...inputs, teachers: [teacher], students: [a] }, { ganLoss: 'hinge' }))).toBe('CONFIG_INVALID');
    [model, a, b].forEach((m) => m.dispose());
  });
});
