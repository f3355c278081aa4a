import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLossGradients, describeLossConformance } from '@distillery/testkit';
import { contrastiveEmbeddingLoss, miniLmAttentionLoss, miniLmValueLoss } from '../../src/index.js';
import type { Nested } from './helpers.js';
import { assign, codeOf, contextOf, fillPadded, golden, probing, releaseContext, setupOf, termOf, textStep } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface AttentionGolden { student: Nested[]; teacher: Nested[] }
interface MiniLmGolden { attentionLast: number; attentionS1T2: number; valuesStudent: Nested; valuesTeacher: Nested; valueLast: number }
interface ContrastiveGolden { student: Nested; teacher: Nested; kernel: Nested; bias: Nested; value: number; studentEqual: Nested; valueEqual: number }
const ga = golden['tinybertAttention'] as AttentionGolden;
const gm = golden['minilm'] as MiniLmGolden;
const gc = golden['contrastive'] as ContrastiveGolden;
const mask = golden.mask;

const close = (actual: number, expected: number, tolerance = 1e-5) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
const layers = (prefix: string, values: Nested[]) => Object.fromEntries(values.map((v, i) => [`${prefix}.${i + 1}`, v]));
const scoresContext = () => contextOf({ student: { mask, ...layers('attention.scores', ga.student) }, teacher: layers('attention.scores', ga.teacher) });
const valuesContext = () => contextOf({ student: { mask, 'values.1': gm.valuesStudent }, teacher: { 'values.1': tf.zeros([3, 2, 5, 4]), 'values.2': gm.valuesTeacher } });

describe('minilm-attention', () => {
  it('matches PyTorch KL over real keys and queries, last layers by default (golden)', () => {
    const context = scoresContext();
    const last = miniLmAttentionLoss();
    last.prepare(setupOf(context));
    expect(last.layers).toEqual({ student: 2, teacher: 4 });
    close(termOf(last, context, 'minilmAttention'), gm.attentionLast);
    const chosen = miniLmAttentionLoss({ studentLayer: 1, teacherLayer: 2 });
    chosen.prepare(setupOf(context));
    close(termOf(chosen, context, 'minilmAttention'), gm.attentionS1T2);
    releaseContext(context);
  });

  it('is 0 for identical scores, and invariant to padded rows and keys', () => {
    const loss = miniLmAttentionLoss();
    const base = scoresContext();
    loss.prepare(setupOf(base));
    const same = contextOf({ student: { mask, 'attention.scores.1': ga.teacher[3] as Nested }, teacher: { 'attention.scores.1': ga.teacher[3] as Nested } });
    loss.prepare(setupOf(same));
    close(termOf(loss, same, 'minilmAttention'), 0);
    loss.prepare(setupOf(base));
    const garbage = (features: Readonly<Record<string, tf.Tensor>>) =>
      Object.fromEntries(Object.entries(features).map(([k, v]) => [k, k === 'mask' ? v.clone() : fillPadded(v, mask, 40, [1, 2])]));
    const changed = contextOf({ student: garbage(base.student.features), teacher: garbage(base.teacher?.features ?? {}) });
    close(termOf(loss, changed, 'minilmAttention'), termOf(loss, base, 'minilmAttention'), 1e-6);
    [base, same, changed].forEach(releaseContext);
  });

  it('needs equal head counts and existing layers, with clear errors', () => {
    const heads = contextOf({ student: { mask, 'attention.scores.1': tf.zeros([3, 4, 5, 5]) }, teacher: { 'attention.scores.1': tf.zeros([3, 2, 5, 5]) } });
    expect(() => miniLmAttentionLoss().prepare(setupOf(heads))).toThrow(/4 attention heads and the teacher 2/);
    expect(codeOf(() => miniLmAttentionLoss().prepare(setupOf(heads)))).toBe('CONFIG_INVALID');
    const context = scoresContext();
    expect(() => miniLmAttentionLoss({ teacherLayer: 9 }).prepare(setupOf(context))).toThrow(/teacher layers: 1, 2, 3, 4/);
    expect(codeOf(() => miniLmAttentionLoss({ studentLayer: 0 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => miniLmAttentionLoss({ teacherLayer: 'first' as 'last' }))).toBe('CONFIG_INVALID');
    [heads, context].forEach(releaseContext);
  });

  it('has gradients matching finite differences', () => {
    const { context, setup } = textStep({ student: { 'attention.scores.1': [2, 4, 4] }, teacher: { 'attention.scores.1': [2, 4, 4] }, length: 4 });
    const loss = miniLmAttentionLoss();
    loss.prepare(setup);
    expect(checkLossGradients(probing(loss, ['attention.scores.1']), context, { maxCoordinates: 24 }).mismatches).toEqual([]);
    releaseContext(context);
  });
});

describeLossConformance('minilm-attention', {
  create: () => miniLmAttentionLoss(),
  makeContext: () => textStep({ student: { 'attention.scores.1': [2, 4, 4] }, teacher: { 'attention.scores.1': [2, 4, 4], 'attention.scores.2': [2, 4, 4] }, length: 4 }),
  gradientCheck: { features: false },
});

describe('minilm-value', () => {
  it('matches PyTorch value-relation KL with different head sizes (golden)', () => {
    const context = valuesContext();
    const loss = miniLmValueLoss();
    loss.prepare(setupOf(context));
    expect(loss.layers).toEqual({ student: 1, teacher: 2 });
    close(termOf(loss, context, 'minilmValue'), gm.valueLast);
    releaseContext(context);
  });

  it('is 0 for identical values and invariant to padded positions', () => {
    const loss = miniLmValueLoss();
    const same = contextOf({ student: { mask, 'values.1': gm.valuesTeacher }, teacher: { 'values.1': gm.valuesTeacher } });
    loss.prepare(setupOf(same));
    close(termOf(loss, same, 'minilmValue'), 0);
    const base = valuesContext();
    loss.prepare(setupOf(base));
    const garbage = (features: Readonly<Record<string, tf.Tensor>>) =>
      Object.fromEntries(Object.entries(features).map(([k, v]) => [k, k === 'mask' ? v.clone() : fillPadded(v, mask, 9, [1])]));
    const changed = contextOf({ student: garbage(base.student.features), teacher: garbage(base.teacher?.features ?? {}) });
    close(termOf(loss, changed, 'minilmValue'), termOf(loss, base, 'minilmValue'), 1e-6);
    [same, base, changed].forEach(releaseContext);
  });

  it('has gradients matching finite differences', () => {
    const { context, setup } = textStep({ student: { 'values.1': [2, 4, 3] }, teacher: { 'values.1': [2, 4, 5] }, length: 4 });
    const loss = miniLmValueLoss();
    loss.prepare(setup);
    expect(checkLossGradients(probing(loss, ['values.1']), context, { maxCoordinates: 24 }).mismatches).toEqual([]);
    releaseContext(context);
  });
});

describeLossConformance('minilm-value', {
  create: () => miniLmValueLoss(),
  makeContext: () => textStep({ student: { 'values.1': [2, 4, 3] }, teacher: { 'values.1': [2, 4, 5] }, length: 4 }),
  gradientCheck: { features: false },
});

describe('contrastive-embedding', () => {
  it('matches PyTorch InfoNCE with and without a projection (golden)', () => {
    const context = contextOf({ student: { pooled: gc.student }, teacher: { pooled: gc.teacher } });
    const loss = contrastiveEmbeddingLoss({ temperature: 0.1 });
    loss.prepare(setupOf(context));
    assign(loss.variables()['projection/kernel'], gc.kernel);
    assign(loss.variables()['projection/bias'], gc.bias);
    close(termOf(loss, context, 'contrastiveEmbedding'), gc.value);
    loss.dispose();
    const equal = contextOf({ student: { pooled: gc.studentEqual }, teacher: { pooled: gc.teacher } });
    const plain = contrastiveEmbeddingLoss();
    plain.prepare(setupOf(equal));
    expect(plain.variables()).toEqual({});
    close(termOf(plain, equal, 'contrastiveEmbedding'), gc.valueEqual);
    [context, equal].forEach(releaseContext);
  });

  it('gives log(1 + (B - 1) e^(-1/tau)) for orthonormal embeddings matched to themselves, 0 for one sample', () => {
    const eye = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    const context = contextOf({ student: { pooled: eye.map((r) => r.map((v) => 3 * v)) }, teacher: { pooled: eye } });
    const loss = contrastiveEmbeddingLoss({ temperature: 0.5 });
    loss.prepare(setupOf(context));
    close(termOf(loss, context, 'contrastiveEmbedding'), Math.log(1 + 2 * Math.exp(-2)));
    const single = contextOf({ student: { pooled: [[1, 2, 3, 4]] }, teacher: { pooled: [[4, 3, 2, 1]] } });
    close(termOf(loss, single, 'contrastiveEmbedding'), 0);
    [context, single].forEach(releaseContext);
  });

  it('has gradients matching finite differences (pooled and projection)', () => {
    const { context, setup } = textStep({ student: { pooled: [3] }, teacher: { pooled: [5] }, batch: 4, length: 2 });
    const loss = contrastiveEmbeddingLoss({ temperature: 0.5 });
    loss.prepare(setup);
    expect(checkLossGradients(probing(loss, ['pooled']), context, { maxCoordinates: 12 }).mismatches).toEqual([]);
    loss.dispose();
    releaseContext(context);
  });
});

describeLossConformance('contrastive-embedding', {
  create: () => contrastiveEmbeddingLoss({ temperature: 0.5 }),
  makeContext: () => textStep({ student: { pooled: [3] }, teacher: { pooled: [5] }, batch: 4, length: 2 }),
  gradientCheck: { maxCoordinates: 12 },
});
