import * as tf from '@tensorflow/tfjs';
import { Trainer, selectBackend } from '@distillery/core';
import { TokenDataset } from '@distillery/data';
import { tinyBertAttentionLoss, tinyBertHiddenLoss, tinyBertPredictionLoss } from '@distillery/losses';
import { asTeacher, transformerClassifier } from '@distillery/models';
import { offlineDistillation } from '@distillery/offline';
import { beforeAll, describe, expect, it } from 'vitest';

// TinyBERT's two-stage recipe with library calls only (the README example): stage 1 fits the student's
// hidden states and attention scores to the teacher's, stage 2 fits its predictions, on the same student.
function tokens(n: number, length: number, vocab: number): TokenDataset {
  const inputs = new Float32Array(n * length);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    inputs[i * length] = 2; // [CLS]
    for (let j = 1; j < length; j++) inputs[i * length + j] = j < length - (i % 3) ? 4 + ((i * 7 + j * (labels[i]! + 1)) % (vocab - 4)) : 0;
  }
  return new TokenDataset({ name: 'toy', inputs, labels, inputShape: [length], numClasses: 3, vocabSize: vocab });
}

const snapshot = (variables: Record<string, tf.Variable>): Record<string, number[]> => Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('TinyBERT two-stage recipe: two Trainer fits on one student', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
  });

  it('stage 1 lowers the intermediate losses, stage 2 starts from exactly its weights and lowers the prediction loss', async () => {
    const data = tokens(48, 10, 40);
    const teacherModel = transformerClassifier({ vocabSize: 40, maxLength: 10, width: 16, heads: 2, ffWidth: 16, layers: 2, numClasses: 3, seed: 1 });
    const student = transformerClassifier({ vocabSize: 40, maxLength: 10, width: 8, heads: 2, ffWidth: 8, layers: 1, numClasses: 3, seed: 2, dropout: 0 });
    const teacher = asTeacher(teacherModel);
    const optimizer = { name: 'adam' as const, learningRate: 0.01 };

    const stage1 = offlineDistillation({ teacher, student, optimizer, alpha: 1, losses: [{ loss: tinyBertHiddenLoss(), weight: 1 }, { loss: tinyBertAttentionLoss(), weight: 1 }] });
    const first = await new Trainer({ scheme: stage1, train: data, epochs: 6, batchSize: 16, seed: 1 }).fit();
    const termsOf = (epoch: { terms: Readonly<Record<string, number>> }): number => Object.entries(epoch.terms).filter(([k]) => k !== 'ce' && k !== 'total').reduce((s, [, v]) => s + v, 0);
    expect(termsOf(first.history.at(-1)!)).toBeLessThan(termsOf(first.history[0]!));
    const afterStage1 = snapshot(student.stateVariables());
    stage1.dispose();

    // stage 2 builds a new scheme around the same student: it begins from stage 1's weights, unchanged
    const stage2 = offlineDistillation({ teacher, student, optimizer, alpha: 1, losses: [{ loss: tinyBertPredictionLoss(), weight: 1 }] });
    expect(snapshot(student.stateVariables())).toEqual(afterStage1);
    const second = await new Trainer({ scheme: stage2, train: data, epochs: 6, batchSize: 16, seed: 1 }).fit();
    const prediction = (e: { terms: Readonly<Record<string, number>> }): number => e.terms['tinybertPrediction'] ?? Number.NaN;
    expect(prediction(second.history.at(-1)!)).toBeLessThan(prediction(second.history[0]!));
    stage2.dispose();
    student.dispose();
    teacherModel.dispose();
  });
});
