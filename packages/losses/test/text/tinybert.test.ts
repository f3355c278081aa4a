import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLossGradients, describeLossConformance } from '@distillery/testkit';
import {
  mapLayers,
  tinyBertAttentionLoss,
  tinyBertEmbeddingLoss,
  tinyBertHiddenLoss,
  tinyBertPredictionLoss,
} from '../../src/index.js';
import type { Nested } from './helpers.js';
import { assign, codeOf, contextOf, fillPadded, golden, probing, releaseContext, setupOf, termOf, textStep } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface EmbeddingGolden { student: Nested; teacher: Nested; kernel: Nested; bias: Nested; value: number; studentEqual: Nested; valueEqual: number }
interface HiddenGolden { student: Nested[]; teacher: Nested[]; kernels: Nested[]; biases: Nested[]; uniformShared: number; uniformPerLayer: number; lastKShared: number }
interface AttentionGolden { student: Nested[]; teacher: Nested[]; uniform: number; explicit21: number }
interface PredictionGolden { student: Nested; teacher: Nested; valueT1: number; valueT2: number; valueT2Scaled: number }
const ge = golden['tinybertEmbedding'] as EmbeddingGolden;
const gh = golden['tinybertHidden'] as HiddenGolden;
const ga = golden['tinybertAttention'] as AttentionGolden;
const gp = golden['tinybertPrediction'] as PredictionGolden;
const mask = golden.mask;

const close = (actual: number, expected: number, tolerance = 1e-5) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
const layers = (prefix: string, values: Nested[]) => Object.fromEntries(values.map((v, i) => [`${prefix}.${i + 1}`, v]));

describe('layer mapping', () => {
  const shapes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`hidden.${i + 1}`, [5, 4]]));
  const map = (mapping: 'uniform' | 'last-k', m: number, n: number) => mapLayers('x', { mapping, studentLayers: [], teacherLayers: [] }, 'hidden', shapes(m), shapes(n));

  it("maps uniformly as TinyBERT's g(m) = m N / M, or onto the last layers", () => {
    expect(map('uniform', 4, 12).map((p) => p.teacher)).toEqual([3, 6, 9, 12]);
    expect(map('uniform', 3, 4).map((p) => p.teacher)).toEqual([1, 2, 4]);
    expect(map('uniform', 4, 2).map((p) => p.teacher)).toEqual([1, 1, 1, 2]);
    expect(map('last-k', 2, 6)).toEqual([{ student: 1, teacher: 5 }, { student: 2, teacher: 6 }]);
    expect(codeOf(() => map('last-k', 3, 2))).toBe('CONFIG_INVALID');
  });

  it('fails in prepare, naming the available layers, when a mapping points at a missing layer', () => {
    const context = contextOf({ student: { mask, ...layers('hidden', gh.student) }, teacher: layers('hidden', gh.teacher) });
    const loss = tinyBertHiddenLoss({ mapping: 'explicit', studentLayers: [1, 2], teacherLayers: [2, 7] });
    expect(() => loss.prepare(setupOf(context))).toThrow(/teacher layers: 1, 2, 3, 4.*no feature tap named "hidden.7"/);
    expect(codeOf(() => loss.prepare(setupOf(context)))).toBe('FEATURE_MISSING');
    const attention = tinyBertAttentionLoss({ mapping: 'explicit', studentLayers: [3], teacherLayers: [1] });
    expect(() => attention.prepare(setupOf(contextOf({ student: { mask, ...layers('attention.scores', ga.student) }, teacher: layers('attention.scores', ga.teacher) })))).toThrow(
      /student layers: 1, 2/,
    );
    releaseContext(context);
  });

  it('validates mapping options when the loss is made', () => {
    expect(codeOf(() => tinyBertHiddenLoss({ mapping: 'explicit' }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => tinyBertHiddenLoss({ mapping: 'explicit', studentLayers: [1, 2], teacherLayers: [3] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => tinyBertHiddenLoss({ studentLayers: [1], teacherLayers: [2] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => tinyBertAttentionLoss({ mapping: 'explicit', studentLayers: [0], teacherLayers: [1] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => tinyBertAttentionLoss({ mapping: 'skip' as 'uniform' }))).toBe('CONFIG_INVALID');
    expect(() => tinyBertEmbeddingLoss({ width: 3 } as never)).toThrow(/unknown option "width"/);
  });
});

describe('tinybert-embedding', () => {
  it('matches PyTorch with a projection, padded positions holding random values (golden)', () => {
    const context = contextOf({ student: { embeddings: ge.student, mask }, teacher: { embeddings: ge.teacher } });
    const loss = tinyBertEmbeddingLoss();
    loss.prepare(setupOf(context));
    expect(Object.keys(loss.variables()).sort()).toEqual(['projection/bias', 'projection/kernel']);
    assign(loss.variables()['projection/kernel'], ge.kernel);
    assign(loss.variables()['projection/bias'], ge.bias);
    close(termOf(loss, context, 'tinybertEmbedding'), ge.value);
    loss.dispose();
    releaseContext(context);
  });

  it('needs no projection for equal widths, and gives 0 for identical embeddings', () => {
    const context = contextOf({ student: { embeddings: ge.studentEqual, mask }, teacher: { embeddings: ge.teacher } });
    const loss = tinyBertEmbeddingLoss();
    loss.prepare(setupOf(context));
    expect(loss.variables()).toEqual({});
    close(termOf(loss, context, 'tinybertEmbedding'), ge.valueEqual);
    const same = contextOf({ student: { embeddings: ge.teacher, mask }, teacher: { embeddings: ge.teacher } });
    expect(termOf(loss, same, 'tinybertEmbedding')).toBe(0);
    expect(codeOf(() => tinyBertEmbeddingLoss({ projection: 'never' }).prepare(setupOf(contextOf({ student: { embeddings: ge.student, mask }, teacher: { embeddings: ge.teacher } }))))).toBe('CONFIG_INVALID');
    [context, same].forEach(releaseContext);
  });

  it('ignores padded positions exactly: their values change neither the loss nor receive gradient', () => {
    const loss = tinyBertEmbeddingLoss();
    const base = contextOf({ student: { embeddings: ge.student, mask }, teacher: { embeddings: ge.teacher } });
    loss.prepare(setupOf(base));
    const s = base.student.features['embeddings'] as tf.Tensor;
    const t = base.teacher?.features['embeddings'] as tf.Tensor;
    const changed = contextOf({ student: { embeddings: fillPadded(s, mask, 1e3), mask }, teacher: { embeddings: fillPadded(t, mask, -7) } });
    expect(termOf(loss, changed, 'tinybertEmbedding')).toBe(termOf(loss, base, 'tinybertEmbedding'));
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => loss.compute({ ...base, student: { ...base.student, features: { ...base.student.features, embeddings: x } } }).tinybertEmbedding)(s).arraySync()) as number[][][];
    grad.forEach((rows, b) => rows.forEach((row, i) => (mask[b]?.[i] === 0 ? expect(row.every((v) => v === 0)).toBe(true) : expect(row.some((v) => v !== 0)).toBe(true))));
    loss.dispose();
    [base, changed].forEach(releaseContext);
  });

  it('has gradients matching finite differences (embeddings and W_e)', () => {
    const { context, setup } = textStep({ student: { embeddings: [4, 3] }, teacher: { embeddings: [4, 5] }, length: 4 });
    const loss = tinyBertEmbeddingLoss();
    loss.prepare(setup);
    const report = checkLossGradients(probing(loss, ['embeddings']), context, { maxCoordinates: 24 });
    expect(report.checked).toBeGreaterThan(24);
    expect(report.mismatches).toEqual([]);
    loss.dispose();
    releaseContext(context);
  });
});

describeLossConformance('tinybert-embedding', {
  create: () => tinyBertEmbeddingLoss(),
  makeContext: () => textStep({ student: { embeddings: [4, 3] }, teacher: { embeddings: [4, 5] }, length: 4 }),
  gradientCheck: { features: false, maxCoordinates: 12 },
});

describe('tinybert-hidden', () => {
  const make = () => contextOf({ student: { mask, ...layers('hidden', gh.student) }, teacher: layers('hidden', gh.teacher) });

  it('matches PyTorch for uniform (shared and per-layer W_h) and last-k mappings (golden)', () => {
    const context = make();
    const cases: Array<[Parameters<typeof tinyBertHiddenLoss>[0], number]> = [
      [{}, gh.uniformShared],
      [{ shareProjection: false }, gh.uniformPerLayer],
      [{ mapping: 'last-k' }, gh.lastKShared],
      [{ mapping: 'explicit', studentLayers: [1, 2], teacherLayers: [3, 4] }, gh.lastKShared],
    ];
    for (const [options, expected] of cases) {
      const loss = tinyBertHiddenLoss(options);
      loss.prepare(setupOf(context));
      const variables = loss.variables();
      if (options?.shareProjection === false) {
        expect(Object.keys(variables).sort()).toEqual(['projection0/bias', 'projection0/kernel', 'projection1/bias', 'projection1/kernel']);
        [0, 1].forEach((i) => {
          assign(variables[`projection${i}/kernel`], gh.kernels[i] as Nested);
          assign(variables[`projection${i}/bias`], gh.biases[i] as Nested);
        });
      } else {
        expect(Object.keys(variables).sort()).toEqual(['projection/bias', 'projection/kernel']);
        assign(variables['projection/kernel'], gh.kernels[0] as Nested);
        assign(variables['projection/bias'], gh.biases[0] as Nested);
      }
      close(termOf(loss, context, 'tinybertHidden'), expected);
      loss.dispose();
    }
    releaseContext(context);
  });

  it('reports the pairs it chose and gives 0 when mapped layers are identical', () => {
    const t = gh.teacher;
    const context = contextOf({ student: { mask, 'hidden.1': t[1] as Nested, 'hidden.2': t[3] as Nested }, teacher: layers('hidden', t) });
    const loss = tinyBertHiddenLoss();
    loss.prepare(setupOf(context));
    expect(loss.pairs).toEqual([{ student: 1, teacher: 2 }, { student: 2, teacher: 4 }]);
    expect(termOf(loss, context, 'tinybertHidden')).toBe(0);
    releaseContext(context);
  });

  it('ignores padded positions exactly', () => {
    const loss = tinyBertHiddenLoss();
    const base = make();
    loss.prepare(setupOf(base));
    const garbage = (features: Readonly<Record<string, tf.Tensor>>) =>
      Object.fromEntries(Object.entries(features).map(([k, v]) => [k, k === 'mask' ? v.clone() : fillPadded(v, mask, 55)]));
    const changed = contextOf({ student: garbage(base.student.features), teacher: garbage(base.teacher?.features ?? {}) });
    close(termOf(loss, changed, 'tinybertHidden'), termOf(loss, base, 'tinybertHidden'), 1e-6);
    loss.dispose();
    [base, changed].forEach(releaseContext);
  });

  it('has gradients matching finite differences (hidden states and per-layer projections)', () => {
    const { context, setup } = textStep({ student: { 'hidden.1': [4, 3], 'hidden.2': [4, 3] }, teacher: { 'hidden.1': [4, 5], 'hidden.2': [4, 5], 'hidden.3': [4, 5] }, length: 4 });
    const loss = tinyBertHiddenLoss({ shareProjection: false });
    loss.prepare(setup);
    const report = checkLossGradients(probing(loss, ['hidden.1', 'hidden.2']), context, { maxCoordinates: 16 });
    expect(report.mismatches).toEqual([]);
    loss.dispose();
    releaseContext(context);
  });
});

describeLossConformance('tinybert-hidden (explicit mapping)', {
  create: () => tinyBertHiddenLoss({ mapping: 'explicit', studentLayers: [1, 2], teacherLayers: [2, 3] }),
  makeContext: () => textStep({ student: { 'hidden.1': [4, 3], 'hidden.2': [4, 3] }, teacher: { 'hidden.1': [4, 5], 'hidden.2': [4, 5], 'hidden.3': [4, 5] }, length: 4 }),
  gradientCheck: { features: false, maxCoordinates: 8 },
});

describe('tinybert-attention', () => {
  const make = () => contextOf({ student: { mask, ...layers('attention.scores', ga.student) }, teacher: layers('attention.scores', ga.teacher) });

  it('matches PyTorch over real (query, key) pairs for uniform and explicit mappings (golden)', () => {
    const context = make();
    const uniform = tinyBertAttentionLoss();
    uniform.prepare(setupOf(context));
    close(termOf(uniform, context, 'tinybertAttention'), ga.uniform);
    const explicit = tinyBertAttentionLoss({ mapping: 'explicit', studentLayers: [2], teacherLayers: [1] });
    explicit.prepare(setupOf(context));
    close(termOf(explicit, context, 'tinybertAttention'), ga.explicit21);
    releaseContext(context);
  });

  it('ignores padded query rows and key columns exactly, and is 0 for identical scores', () => {
    const loss = tinyBertAttentionLoss();
    const base = make();
    loss.prepare(setupOf(base));
    const garbage = (features: Readonly<Record<string, tf.Tensor>>) =>
      Object.fromEntries(Object.entries(features).map(([k, v]) => [k, k === 'mask' ? v.clone() : fillPadded(v, mask, -1e4, [1, 2])]));
    const changed = contextOf({ student: garbage(base.student.features), teacher: garbage(base.teacher?.features ?? {}) });
    close(termOf(loss, changed, 'tinybertAttention'), termOf(loss, base, 'tinybertAttention'), 1e-6);
    const t = ga.teacher;
    const same = contextOf({ student: { mask, 'attention.scores.1': t[1] as Nested, 'attention.scores.2': t[3] as Nested }, teacher: layers('attention.scores', t) });
    expect(termOf(loss, same, 'tinybertAttention')).toBe(0);
    [base, changed, same].forEach(releaseContext);
  });

  it('requires equal head counts, with a clear error', () => {
    const context = contextOf({ student: { mask, 'attention.scores.1': tf.zeros([3, 1, 5, 5]) }, teacher: { 'attention.scores.1': tf.zeros([3, 2, 5, 5]) } });
    expect(() => tinyBertAttentionLoss().prepare(setupOf(context))).toThrow(/1 attention heads and the teacher 2/);
    releaseContext(context);
  });

  it('has gradients matching finite differences', () => {
    const { context, setup } = textStep({ student: { 'attention.scores.1': [2, 4, 4] }, teacher: { 'attention.scores.1': [2, 4, 4], 'attention.scores.2': [2, 4, 4] }, length: 4 });
    const loss = tinyBertAttentionLoss();
    loss.prepare(setup);
    expect(checkLossGradients(probing(loss, ['attention.scores.1']), context, { maxCoordinates: 24 }).mismatches).toEqual([]);
    releaseContext(context);
  });
});

describeLossConformance('tinybert-attention', {
  create: () => tinyBertAttentionLoss(),
  makeContext: () => textStep({ student: { 'attention.scores.1': [2, 4, 4] }, teacher: { 'attention.scores.1': [2, 4, 4], 'attention.scores.2': [2, 4, 4] }, length: 4 }),
  gradientCheck: { features: false },
});

describe('tinybert-prediction', () => {
  it('matches PyTorch soft cross-entropy at T = 1 and T = 2, with and without T^2 (golden)', () => {
    const context = contextOf({ studentLogits: gp.student, teacherLogits: gp.teacher, classes: 4, teacher: {} });
    close(termOf(tinyBertPredictionLoss(), context, 'tinybertPrediction'), gp.valueT1);
    close(termOf(tinyBertPredictionLoss({ temperature: 2 }), context, 'tinybertPrediction'), gp.valueT2);
    close(termOf(tinyBertPredictionLoss({ temperature: 2, scaleByT2: true }), context, 'tinybertPrediction'), gp.valueT2Scaled);
    releaseContext(context);
  });

  it('equals the teacher entropy for identical logits', () => {
    const logits = [[1, 2, 0.5], [0, -1, 3]];
    const context = contextOf({ studentLogits: logits, teacherLogits: logits, teacher: {} });
    const entropy = logits
      .map((row) => {
        const z = row.map(Math.exp);
        const s = z.reduce((a, b) => a + b, 0);
        return -z.reduce((acc, v) => acc + (v / s) * Math.log(v / s), 0);
      })
      .reduce((a, b) => a + b, 0) / 2;
    close(termOf(tinyBertPredictionLoss(), context, 'tinybertPrediction'), entropy);
    releaseContext(context);
  });
});

describeLossConformance('tinybert-prediction', {
  create: () => tinyBertPredictionLoss({ temperature: 2, scaleByT2: true }),
  makeContext: () => textStep({ student: {}, teacher: {}, length: 3, classes: 4 }),
});
