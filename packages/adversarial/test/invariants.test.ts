import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, LossTerms, Scheme, TrainableModel } from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import { adversarialDistillation, boundarySupportingDistillation, onlineAdversarialDistillation, type AdversarialDistillation } from '../src/index.js';
import { SGD, blobs, contextFor, firstBatch, maxChange, read, releaseBatch, snapshot, student, trainedTeacherModel } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const kd = () => [{ loss: kdLoss({ temperature: 4 }), weight: 1 }];

/** Which of the named variable groups changed (max |delta| > 0) across `update`. */
function changedBy(groups: Record<string, readonly tf.Variable[]>, update: () => LossTerms): Record<string, boolean> {
  const before = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, snapshot(v)]));
  tf.dispose(update());
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, maxChange(v, before[k] as Float32Array[]) > 0]));
}

describe('adversarial-kd: each sub-update touches only its own variables', () => {
  it('D update: only D; student update: only the student; the teacher never', async () => {
    const { model, dataset } = trainedTeacherModel(21);
    const s = student(21);
    const scheme = adversarialDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD, adversarialWeight: 1 });
    const batch = firstBatch(dataset);
    await scheme.prepare(contextFor(dataset), batch);
    const groups = () => ({ teacher: model.trainableVariables(), student: s.trainableVariables(), discriminator: scheme.game.discriminator.trainableVariables() });
    for (let round = 0; round < 3; round++) {
      expect(changedBy(groups(), () => scheme.stepDiscriminator(batch))).toEqual({ teacher: false, student: false, discriminator: true });
      expect(changedBy(groups(), () => scheme.stepStudent(batch, { epoch: 0, step: round, fraction: 0 }))).toEqual({ teacher: false, student: true, discriminator: false });
    }
    expect(changedBy(groups(), () => scheme.step(batch, { epoch: 0, step: 3, fraction: 0 }))).toEqual({ teacher: false, student: true, discriminator: true });
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });

  it('step() is exactly "D, then the student against the updated D"', async () => {
    const run = async (drive: (scheme: AdversarialDistillation, batch: Batch) => void) => {
      const { model, dataset } = trainedTeacherModel(22);
      const s = student(22);
      const scheme = adversarialDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD, adversarialWeight: 1 });
      const batch = firstBatch(dataset);
      await scheme.prepare(contextFor(dataset), batch);
      drive(scheme, batch);
      const weights = { student: snapshot(s.trainableVariables()), discriminator: snapshot(scheme.game.discriminator.trainableVariables()) };
      releaseBatch(batch);
      scheme.dispose();
      [model, s].forEach((m) => m.dispose());
      return weights;
    };
    const progress = { epoch: 0, step: 0, fraction: 0 };
    const stepped = await run((scheme, batch) => tf.dispose(scheme.step(batch, progress)));
    const inOrder = await run((scheme, batch) => {
      tf.dispose(scheme.stepDiscriminator(batch));
      tf.dispose(scheme.stepStudent(batch, progress));
    });
    const reversed = await run((scheme, batch) => {
      tf.dispose(scheme.stepStudent(batch, progress));
      tf.dispose(scheme.stepDiscriminator(batch));
    });
    const diff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((v, i) => Math.max(...v.map((x, j) => Math.abs(x - (b[i]?.[j] ?? NaN))))));
    expect(diff(stepped.student, inOrder.student)).toBe(0);
    expect(diff(stepped.discriminator, inOrder.discriminator)).toBe(0);
    // the other order gives a different student (it faced the old D) and a different D (it saw the new student)
    expect(diff(stepped.student, reversed.student)).toBeGreaterThan(0);
    expect(diff(stepped.discriminator, reversed.discriminator)).toBeGreaterThan(0);
  });

  it('the adversarial term alone moves the student toward fooling D (its generator loss falls against a fixed D)', async () => {
    const { model, dataset } = trainedTeacherModel(23);
    const s = student(23);
    const scheme = adversarialDistillation({ teacher: tinyTeacher(model), student: s, optimizer: SGD, alpha: 0, adversarialWeight: 1, discriminatorInput: { response: 'probabilities' } });
    const batch = firstBatch(dataset);
    await scheme.prepare(contextFor(dataset), batch);
    for (let i = 0; i < 20; i++) tf.dispose(scheme.stepDiscriminator(batch));
    // now only the student moves; its adversarial loss, measured before each update, must fall
    const losses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const terms = scheme.stepStudent(batch, { epoch: 0, step: i, fraction: 0 });
      losses.push(read(terms['adversarial']));
      tf.dispose(terms);
    }
    expect(losses.at(-1) as number).toBeLessThan(losses[0] as number);
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });
});

describe('adversarial-online: D, student and teacher each move only themselves', () => {
  it('per sub-update and for a whole step', async () => {
    const dataset = blobs(24);
    const s = student(24);
    const teacher = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 240, name: 'online-teacher' });
    const scheme = onlineAdversarialDistillation({ teacher, student: s, losses: kd(), optimizer: SGD, adversarialWeight: 1 });
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset), batch);
    const groups = () => ({ teacher: teacher.trainableVariables(), student: s.trainableVariables(), discriminator: scheme.game.discriminator.trainableVariables() });
    const progress = { epoch: 0, step: 0, fraction: 0 };
    expect(changedBy(groups(), () => scheme.stepDiscriminator(batch))).toEqual({ teacher: false, student: false, discriminator: true });
    expect(changedBy(groups(), () => scheme.stepStudent(batch, progress))).toEqual({ teacher: false, student: true, discriminator: false });
    expect(changedBy(groups(), () => scheme.stepTeacher(batch, progress))).toEqual({ teacher: true, student: false, discriminator: false });
    expect(changedBy(groups(), () => scheme.step(batch, progress))).toEqual({ teacher: true, student: true, discriminator: true });
    const terms = scheme.step(batch, progress);
    expect(Object.keys(terms).sort()).toEqual(
      ['discriminator', 'discriminatorAccuracy', 'student.adversarial', 'student.ce', 'student.kd', 'student.total', 'teacher.ce', 'teacher.mimicry', 'teacher.total', 'total'].sort(),
    );
    expect(read(terms['total'])).toBeCloseTo(read(terms['student.total']) + read(terms['teacher.total']), 5);
    tf.dispose(terms);
    releaseBatch(batch);
    scheme.dispose();
    [teacher, s].forEach((m) => m.dispose());
  });
});

describe('bss: the teacher never updates; the boundary batch is deterministic per step', () => {
  it('leaves the teacher untouched and rebuilds the same boundary samples for the same step', async () => {
    const { model, dataset } = trainedTeacherModel(25);
    const s = student(25);
    const scheme = boundarySupportingDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD, boundarySamples: 8, inputRange: [-10, 10] });
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset), batch);
    const progress = { epoch: 0, step: 7, fraction: 0.1 };
    const a = scheme.boundaryBatchFor(batch, progress);
    const b = scheme.boundaryBatchFor(batch, progress);
    expect(Array.from(a.samples.dataSync())).toEqual(Array.from(b.samples.dataSync()));
    expect(a.samples.shape).toEqual([8, 4]);
    expect(Array.from(a.weights.dataSync()).every((w) => w === 1)).toBe(true);
    // other steps draw other target classes (a confident teacher makes some draws repeat), so other samples
    let differing = 0;
    for (let step = 8; step < 16; step++) {
      const c = scheme.boundaryBatchFor(batch, { ...progress, step });
      if (Array.from(c.samples.dataSync()).some((v, i) => v !== a.samples.dataSync()[i])) differing++;
      tf.dispose([c.samples, c.teacherLogits, c.weights]);
    }
    expect(differing).toBeGreaterThan(0);
    [a, b].forEach((batchOf) => tf.dispose([batchOf.samples, batchOf.teacherLogits, batchOf.weights]));
    const changed = changedBy({ teacher: model.trainableVariables(), student: s.trainableVariables() }, () => scheme.step(batch, progress));
    expect(changed).toEqual({ teacher: false, student: true });
    expect(scheme.boundaryWeightAt(0)).toBe(2);
    expect(scheme.boundaryWeightAt(0.375)).toBeCloseTo(1, 10);
    expect(scheme.boundaryWeightAt(0.9)).toBe(0);
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });

  it('the boundary term is the masked KD on the samples and 0 once its weight has decayed', async () => {
    const { model, dataset } = trainedTeacherModel(26);
    const s = student(26);
    const scheme = boundarySupportingDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: SGD, inputRange: [-10, 10] });
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset), batch);
    const early = scheme.step(batch, { epoch: 0, step: 0, fraction: 0 });
    const late = scheme.step(batch, { epoch: 0, step: 1, fraction: 0.8 });
    expect(read(early['boundary'])).toBeGreaterThan(0);
    expect(read(late['boundary'])).toBe(0);
    tf.dispose([early, late]);
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });
});

describe('tensor hygiene as the Trainer calls step (no surrounding tf.tidy)', () => {
  it('every scheme leaves the tensor count unchanged step after step', async () => {
    const { model, dataset } = trainedTeacherModel(27);
    const models: TrainableModel[] = [student(27), student(28, 16), student(29), tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 290, name: 'online-teacher' })];
    const [a, b, c, d] = models as [TrainableModel, TrainableModel, TrainableModel, TrainableModel];
    const teacher = tinyTeacher(model);
    const schemes: Scheme[] = [
      adversarialDistillation({ teacher, student: a, losses: kd(), optimizer: SGD }),
      adversarialDistillation({ teacher, student: b, losses: kd(), optimizer: SGD, discriminatorSteps: 2, discriminatorInput: { studentFeature: 'hidden0', conditionOnLabels: true } }),
      boundarySupportingDistillation({ teacher, student: c, losses: kd(), optimizer: SGD, boundarySamples: 8, inputRange: [-10, 10] }),
      onlineAdversarialDistillation({ teacher: d, student: a, losses: kd(), optimizer: SGD }),
    ];
    const batch = firstBatch(dataset);
    for (const scheme of schemes) {
      const start = tf.memory().numTensors;
      await scheme.prepare(contextFor(dataset), batch);
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        tf.dispose(scheme.step(batch, { epoch: 0, step: i, fraction: 0.1 }));
        counts.push(tf.memory().numTensors);
      }
      // the first step creates the optimisers' slots; after it nothing may accumulate
      expect(new Set(counts.slice(1)).size, scheme.name).toBe(1);
      scheme.dispose();
      expect(tf.memory().numTensors, `${scheme.name} releases what it made`).toBe(start);
    }
    releaseBatch(batch);
    [model, ...models].forEach((m) => m.dispose());
  });
});
