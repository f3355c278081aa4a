import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StepContext } from '@distillery/core';
import { crossEntropy, kdLoss } from '../src/index.js';
import type { KdDirection, Reduction } from '../src/index.js';

// Reference numbers from fixtures/make_golden.py (float64 NumPy, an independent implementation).
interface GoldenCase {
  readonly student: number[][];
  readonly teacher: number[][];
  readonly labels: number[];
  readonly kd: ReadonlyArray<{ temperature: number; direction: KdDirection; reduction: Reduction; scaleByT2: boolean; value: number }>;
  readonly ce: ReadonlyArray<{ labelSmoothing: number; value: number }>;
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

/** float32 arithmetic against a float64 reference: 1e-5 relative, or absolute below 1 */
function expectClose(actual: number, expected: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)));
}

function contextOf(c: GoldenCase): StepContext {
  const classes = (c.student[0] as number[]).length;
  return {
    student: { logits: tf.tensor2d(c.student), features: {} },
    teacher: { logits: tf.tensor2d(c.teacher), features: {} },
    labels: tf.tensor1d(c.labels, 'int32'),
    indices: tf.tensor1d(c.labels.map((_, i) => i), 'int32'),
    numClasses: classes,
    progress: { epoch: 0, step: 0, fraction: 0 },
  };
}

function value(compute: () => Record<string, tf.Scalar>, term: string): number {
  return tf.tidy(() => (compute()[term] as tf.Scalar).dataSync()[0] as number);
}

describe('golden values from NumPy', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has cases for every temperature, direction, reduction and scaling', () => {
    expect(golden.cases.length).toBe(4);
    for (const c of golden.cases) expect(c.kd.length).toBe(4 * 2 * 3 * 2);
  });

  golden.cases.forEach((c, index) => {
    const shape = `${c.student.length}x${(c.student[0] as number[]).length}`;
    it(`kd matches in every configuration (case ${index}, ${shape})`, () => {
      const context = contextOf(c);
      for (const g of c.kd) {
        const loss = kdLoss({ temperature: g.temperature, direction: g.direction, reduction: g.reduction, scaleByT2: g.scaleByT2 });
        expectClose(value(() => loss.compute(context), 'kd'), g.value, JSON.stringify({ ...g, value: undefined }));
      }
      tf.dispose([context.student.logits, context.teacher?.logits, context.labels, context.indices]);
    });

    it(`ce matches with and without label smoothing (case ${index}, ${shape})`, () => {
      const context = contextOf(c);
      for (const g of c.ce) {
        const loss = crossEntropy({ labelSmoothing: g.labelSmoothing });
        expectClose(value(() => loss.compute(context), 'ce'), g.value, `labelSmoothing ${g.labelSmoothing}`);
      }
      tf.dispose([context.student.logits, context.teacher?.logits, context.labels, context.indices]);
    });
  });
});
