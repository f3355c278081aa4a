import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../src/index.js';
import { contextFrom, LABELS, release, softmax64, STUDENT, studentGradient, termValue } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function ceValue(student: number[][], labels: number[], labelSmoothing = 0): number {
  const context = contextFrom(student, undefined, labels);
  try {
    const loss = crossEntropy({ labelSmoothing });
    return termValue(() => loss.compute(context), 'ce');
  } finally {
    release(context);
  }
}

describe('crossEntropy', () => {
  it('ignores the teacher and needs 2 classes', () => {
    expect(crossEntropy().requires).toEqual({ teacher: 'none', minClasses: 2 });
    expect(crossEntropy().options).toEqual({ labelSmoothing: 0 });
  });

  it('is log(K) for uniform logits, whatever the label or smoothing', () => {
    expect(ceValue([[0, 0, 0, 0, 0]], [3])).toBeCloseTo(Math.log(5), 6);
    expect(ceValue([[2, 2, 2]], [0], 0.2)).toBeCloseTo(Math.log(3), 6);
  });

  it('is the mean of -log softmax(z)[y], computed in float64', () => {
    const expected = STUDENT.reduce((s, row, i) => s - Math.log(softmax64(row)[LABELS[i] as number] as number), 0) / STUDENT.length;
    expect(ceValue(STUDENT, LABELS)).toBeCloseTo(expected, 6);
  });

  it('with smoothing eps equals (1 - eps) CE + eps x mean_c(-log p_c)', () => {
    const eps = 0.1;
    const uniform = STUDENT.reduce((s, row) => s - softmax64(row).reduce((a, p) => a + Math.log(p), 0) / row.length, 0) / STUDENT.length;
    expect(ceValue(STUDENT, LABELS, eps)).toBeCloseTo((1 - eps) * ceValue(STUDENT, LABELS) + eps * uniform, 5);
  });

  it('stays finite for logits of magnitude 1e4', () => {
    const v = ceValue([[1e4, -1e4, 0]], [1]);
    expect(v).toBeCloseTo(2e4, -1);
  });

  it('has the closed-form gradient (softmax(z) - target) / batch', () => {
    const eps = 0.2;
    const context = contextFrom(STUDENT, undefined, LABELS);
    const gradient = studentGradient(context, (c) => crossEntropy({ labelSmoothing: eps }).compute(c), 'ce');
    const expected = STUDENT.flatMap((row, i) =>
      softmax64(row).map((p, c) => (p - ((c === LABELS[i] ? 1 - eps : 0) + eps / row.length)) / STUDENT.length),
    );
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i] as number, 6));
    release(context);
  });

  it.each([-0.1, 1, 1.5, Number.NaN])('rejects labelSmoothing %s with a ConfigError', (labelSmoothing) => {
    expect(() => crossEntropy({ labelSmoothing })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
