import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientStep, lossVariables } from '@distillery/core';
import type { KnowledgeLoss, StepContext } from '@distillery/core';
import { disposeBatch, fitTinyModel, tinyDataset, tinyDenseModel, tinyTeacher } from '@distillery/testkit';
import { attentionLoss, crdLoss, fitNetsLoss, fspLoss, overhaulLoss, pktLoss, rkdLoss, spLoss } from '../../src/feature-relation.js';
import type { CrdLoss } from '../../src/feature-relation.js';
import { contextOf, releaseContext, seededValues } from './helpers.js';

/**
 * Each loss inside a real optimisation loop the way the offline scheme runs it: teacher outside the tape,
 * the loss's variables optimised with the student, afterStep inside the gradient closure.
 */
function train(loss: KnowledgeLoss, steps: number): { first: number; last: number; growth: number } {
  const dataset = tinyDataset({ size: 32, features: 4, classes: 3, seed: 3 });
  const teacherModel = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [6], seed: 1, name: 'teacher' });
  fitTinyModel(teacherModel, dataset, { epochs: 3, batchSize: 16 });
  const teacher = tinyTeacher(teacherModel);
  const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [5], seed: 2, name: 'student' });
  const optimizer = tf.train.adam(0.02);
  const shapesOf = (features: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(features).map(([k, v]) => [k, v.shape.slice(1)]));
  const [sample] = dataset.batches({ batchSize: 8, shuffle: false, seed: 0, epoch: 0 });
  const setup = tf.tidy(() => ({
    numClasses: 3,
    datasetSize: dataset.size,
    teacherAccess: 'white-box' as const,
    studentFeatureShapes: shapesOf(student.forward(sample!.x, { training: false }).features as Record<string, tf.Tensor>),
    teacherFeatureShapes: shapesOf(teacher.forward(sample!.x).features as Record<string, tf.Tensor>),
    seed: 5,
  }));
  disposeBatch(sample!);
  loss.prepare?.(setup);
  const values: number[] = [];
  let tensorsAfterFirst = 0;
  for (let step = 0; step < steps; step++) {
    for (const batch of dataset.batches({ batchSize: 8, shuffle: true, seed: 1, epoch: step, dropRemainder: true })) {
      const teacherOut = tf.tidy(() => teacher.forward(batch.x) as unknown as tf.TensorContainer) as unknown as ReturnType<typeof teacher.forward>;
      const terms = gradientStep(optimizer, [...student.trainableVariables(), ...Object.values(lossVariables([{ loss, weight: 1 }]))], () => {
        const context: StepContext = {
          student: student.forward(batch.x, { training: true }),
          teacher: teacherOut,
          labels: batch.y,
          indices: batch.index,
          numClasses: 3,
          progress: { epoch: step, step, fraction: step / steps },
        };
        const lossTerms = loss.compute(context);
        const total = Object.values(lossTerms).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
        loss.afterStep?.(context);
        return { total, terms: lossTerms };
      });
      values.push(terms['total']?.dataSync()[0] as number);
      tf.dispose(Object.values(terms));
      tf.dispose([teacherOut.logits, ...Object.values(teacherOut.features)]);
      disposeBatch(batch);
    }
    if (step === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  const growth = tf.memory().numTensors - tensorsAfterFirst;
  optimizer.dispose();
  student.dispose();
  teacherModel.dispose();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(values.slice(0, 4)), last: mean(values.slice(-4)), growth };
}

describe('losses inside an optimisation loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const taps = { studentFeatures: ['hidden0'], teacherFeatures: ['hidden0'] };
  const cases: Array<[string, () => KnowledgeLoss]> = [
    ['fitnets (dense regressor)', () => fitNetsLoss({ ...taps, beta: 1 })],
    ['overhaul', () => overhaulLoss({ ...taps, beta: 1, marginBatches: 2 })],
    ['rkd', () => rkdLoss(taps)],
    ['pkt', () => pktLoss({ ...taps, beta: 100 })],
    ['sp', () => spLoss({ ...taps, beta: 10 })],
    ['crd', () => crdLoss({ studentFeature: 'hidden0', teacherFeature: 'hidden0', embedDim: 4, negatives: 8, temperature: 0.5 })],
  ];

  it.each(cases)('%s: the objective falls and no tensors accumulate', (_, create) => {
    const loss = create();
    const { first, last, growth } = train(loss, 12);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    expect(growth).toBe(0);
    loss.dispose?.();
  });

  it('crd: afterStep inside the gradient closure moves the memory of the seen samples only', () => {
    const loss = crdLoss({ studentFeature: 'hidden0', teacherFeature: 'hidden0', embedDim: 4, negatives: 8 }) as CrdLoss;
    train(loss, 1);
    const norms = tf.tidy(() => Array.from(tf.norm(loss.state()['memoryStudent'] as tf.Tensor, 2, 1).dataSync()));
    // one epoch of 32 samples in batches of 8: every row has been written once, with unit norm
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    expect(loss.state()['zStudent']?.dataSync()[0]).toBeGreaterThan(0);
    loss.dispose?.();
  });
});

describe('teacher features computed on the tape (online schemes)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const mapTaps = { studentFeatures: ['m'], teacherFeatures: ['m'] };
  const cases: Array<[string, () => KnowledgeLoss]> = [
    ['overhaul', () => overhaulLoss({ ...mapTaps })],
    ['at', () => attentionLoss(mapTaps)],
    ['fsp', () => fspLoss({ studentFeatures: ['m', 'm'], teacherFeatures: ['m', 'm'] })],
    ['rkd', () => rkdLoss(mapTaps)],
    ['pkt', () => pktLoss(mapTaps)],
    ['sp', () => spLoss(mapTaps)],
    ['fitnets', () => fitNetsLoss({ ...mapTaps, regressor: 'always' })],
    ['crd', () => crdLoss({ studentFeature: 'm', teacherFeature: 'm', embedDim: 3, negatives: 4 })],
  ];

  it.each(cases)('%s: backprop through both networks works and the teacher gets no gradient', (_, create) => {
    const context = contextOf({ student: { m: seededValues([3, 2, 2, 2], 1) }, teacher: { m: seededValues([3, 2, 2, 2], 2) } });
    const loss = create();
    loss.prepare?.({
      numClasses: 3,
      datasetSize: 10,
      teacherAccess: 'white-box',
      studentFeatureShapes: { m: [2, 2, 2] },
      teacherFeatureShapes: { m: [2, 2, 2] },
      seed: 0,
    });
    const [gStudent, gTeacher] = tf.tidy(() => {
      const grads = tf.grads((s: tf.Tensor, t: tf.Tensor) => {
        const terms = loss.compute({ ...context, student: { ...context.student, features: { m: s } }, teacher: { logits: context.student.logits, features: { m: t } } });
        return Object.values(terms).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
      });
      return grads([context.student.features['m'] as tf.Tensor, context.teacher?.features['m'] as tf.Tensor]).map((x) => Array.from(x.dataSync()));
    });
    expect((gTeacher as number[]).every((v) => v === 0)).toBe(true);
    expect(Math.max(...(gStudent as number[]).map(Math.abs))).toBeGreaterThan(0);
    loss.dispose?.();
    releaseContext(context);
  });
});
