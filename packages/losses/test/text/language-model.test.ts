import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, BatchOptions, Dataset, TrainableModel } from '@distillery/core';
import { checkLossGradients, describeLossConformance } from '@distillery/testkit';
import { checkLossRequirements, lmCeLoss, perplexity, tokenKdLoss } from '../../src/index.js';
import type { Nested } from './helpers.js';
import { codeOf, contextOf, fillPadded, golden, probing, releaseContext, setupOf, termOf, textStep } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface TokenKdGolden { student: Nested; teacher: Nested; forwardT1: number; forwardT2: number; reverseT2: number; forwardT2Unscaled: number }
interface LmCeGolden { logits: Nested; tokens: number[][]; labels: number[]; value: number }
const gk = golden['tokenKd'] as TokenKdGolden;
const gl = golden['lmCe'] as LmCeGolden;
const mask = golden.mask;
const V = 7;

const close = (actual: number, expected: number, tolerance = 1e-5) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
const kdContext = () => contextOf({ student: { tokenLogits: gk.student, mask }, teacher: { tokenLogits: gk.teacher }, classes: V });
const ceContext = (logits: Nested = gl.logits) =>
  contextOf({ student: { tokenLogits: logits, tokens: tf.tensor2d(gl.tokens, undefined, 'int32'), mask }, teacher: null, labels: gl.labels, classes: V });
const classifierSetup = () => {
  const context = contextOf({ student: { mask, pooled: [[1], [2], [3]] }, teacher: { pooled: [[1], [2], [3]] }, classes: V });
  const setup = setupOf(context);
  releaseContext(context);
  return setup;
};

describe('token-kd', () => {
  it('matches PyTorch per-token KL, forward and reverse, over real tokens (golden)', () => {
    const context = kdContext();
    const cases: Array<[Parameters<typeof tokenKdLoss>[0], number]> = [
      [{}, gk.forwardT1],
      [{ temperature: 2 }, gk.forwardT2],
      [{ temperature: 2, direction: 'reverse' }, gk.reverseT2],
      [{ temperature: 2, scaleByT2: false }, gk.forwardT2Unscaled],
    ];
    for (const [options, expected] of cases) {
      const loss = tokenKdLoss(options);
      loss.prepare(setupOf(context));
      close(termOf(loss, context, 'tokenKd'), expected);
    }
    releaseContext(context);
  });

  it('is 0 for identical logits and for logits shifted per token; padded positions change nothing', () => {
    const loss = tokenKdLoss({ temperature: 2 });
    const same = contextOf({ student: { tokenLogits: tf.add(tf.tensor(gk.teacher as number[]), 5), mask }, teacher: { tokenLogits: gk.teacher }, classes: V });
    close(termOf(loss, same, 'tokenKd'), 0);
    const base = kdContext();
    const changed = contextOf({
      student: { tokenLogits: fillPadded(base.student.features['tokenLogits'] as tf.Tensor, mask, 80), mask },
      teacher: { tokenLogits: fillPadded(base.teacher?.features['tokenLogits'] as tf.Tensor, mask, -80) },
      classes: V,
    });
    close(termOf(loss, changed, 'tokenKd'), termOf(loss, base, 'tokenKd'), 1e-6);
    [same, base, changed].forEach(releaseContext);
  });

  it('has gradients matching finite differences in both directions', () => {
    for (const direction of ['forward', 'reverse'] as const) {
      const { context, setup } = textStep({ student: { tokenLogits: [4, 5] }, teacher: { tokenLogits: [4, 5] }, length: 4, classes: 5, scale: 2 });
      const loss = tokenKdLoss({ temperature: 2, direction });
      loss.prepare(setup);
      expect(checkLossGradients(probing(loss, ['tokenLogits']), context, { maxCoordinates: 24 }).mismatches, direction).toEqual([]);
      releaseContext(context);
    }
  });

  it('fails before training on a classifier (no tokenLogits) and on vocabulary mismatches', () => {
    expect(() => tokenKdLoss().prepare(classifierSetup())).toThrow(/no feature tap named "tokenLogits"/);
    expect(codeOf(() => tokenKdLoss().prepare(classifierSetup()))).toBe('FEATURE_MISSING');
    const context = contextOf({ student: { tokenLogits: tf.zeros([2, 3, 5]), mask: tf.ones([2, 3]) }, teacher: { tokenLogits: tf.zeros([2, 3, 6]) }, classes: 5 });
    expect(codeOf(() => tokenKdLoss().prepare(setupOf(context)))).toBe('CLASS_COUNT_MISMATCH');
    expect(codeOf(() => tokenKdLoss({ direction: 'sideways' as 'forward' }))).toBe('CONFIG_INVALID');
    releaseContext(context);
  });
});

describeLossConformance('token-kd (reverse, T = 2)', {
  create: () => tokenKdLoss({ temperature: 2, direction: 'reverse' }),
  makeContext: () => textStep({ student: { tokenLogits: [4, 5] }, teacher: { tokenLogits: [4, 5] }, length: 4, classes: 5 }),
  gradientCheck: { features: false },
});

describe('lm-ce', () => {
  it('matches PyTorch cross-entropy on concat(tokens[:, 1:], labels), real non-[PAD] targets only (golden)', () => {
    const context = ceContext();
    const loss = lmCeLoss();
    loss.prepare(setupOf(context));
    close(termOf(loss, context, 'lmCe'), gl.value);
    releaseContext(context);
  });

  it('is log V for uniform logits; values at padded positions change nothing', () => {
    const uniform = ceContext(tf.zeros([3, 5, V]) as unknown as Nested);
    close(termOf(lmCeLoss(), uniform, 'lmCe'), Math.log(V));
    const base = ceContext();
    const changed = ceContext(fillPadded(base.student.features['tokenLogits'] as tf.Tensor, mask, 1e3) as unknown as Nested);
    close(termOf(lmCeLoss(), changed, 'lmCe'), termOf(lmCeLoss(), base, 'lmCe'), 1e-6);
    [uniform, base, changed].forEach(releaseContext);
  });

  it('has gradients matching finite differences', () => {
    const { context, setup } = textStep({ student: { tokenLogits: [4, 6] }, length: 4, classes: 6, tokens: 6, scale: 2 });
    const loss = lmCeLoss();
    loss.prepare(setup);
    expect(checkLossGradients(probing(loss, ['tokenLogits']), context, { maxCoordinates: 32 }).mismatches).toEqual([]);
    releaseContext(context);
  });

  it('fails before training on a classifier and on a numClasses that is not the vocabulary', () => {
    expect(() => checkLossRequirements(lmCeLoss(), classifierSetup())).toThrow(/the student \(needed by loss "lm-ce"\) has no feature tap named "tokenLogits"/);
    const { context, setup } = textStep({ student: { tokenLogits: [4, 6] }, length: 4, classes: 6, tokens: 6 });
    expect(codeOf(() => lmCeLoss().prepare({ ...setup, numClasses: 5 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => lmCeLoss({ smoothing: 0.1 } as never))).toBe('CONFIG_INVALID');
    releaseContext(context);
  });
});

describeLossConformance('lm-ce', {
  create: () => lmCeLoss(),
  makeContext: () => textStep({ student: { tokenLogits: [4, 6] }, length: 4, classes: 6, tokens: 6 }),
  gradientCheck: { features: false },
});

/** A fake causal LM that always predicts "current id + 1" with logit `sharpness` (0: uniform). */
function fakeLm(vocab: number, length: number, sharpness: number, featureNames = ['tokenLogits', 'tokens', 'mask']): TrainableModel {
  const outputs = (x: tf.Tensor) => {
    const tokens = tf.cast(x, 'int32');
    const tokenLogits = tf.mul(tf.oneHot(tf.mod(tf.add(tokens, tf.scalar(1, 'int32')), tf.scalar(vocab, 'int32')) as tf.Tensor2D, vocab), sharpness) as tf.Tensor3D;
    const [batch] = x.shape as [number];
    return {
      logits: tf.reshape(tf.slice(tokenLogits, [0, length - 1, 0], [batch, 1, vocab]), [batch, vocab]) as tf.Tensor2D,
      features: { tokenLogits, tokens, mask: tf.cast(tf.notEqual(tokens, 0), 'float32') },
    };
  };
  return {
    name: 'fake-lm',
    numClasses: vocab,
    inputShape: [length],
    featureNames,
    predictLogits: (x) => outputs(x).logits,
    forward: (x) => outputs(x),
    trainableVariables: () => [],
    stateVariables: () => ({}),
    countParams: () => 0,
    dispose: () => undefined,
  };
}

/** Next-token windows over one stream (what @distillery/data's languageModelWindows yields). */
function windows(stream: readonly number[], length: number, vocab: number): Dataset {
  const count = Math.floor((stream.length - length - 1) / length) + 1;
  return {
    name: 'stream',
    size: count,
    inputShape: [length],
    numClasses: vocab,
    *batches(options: BatchOptions): Generator<Batch> {
      for (let start = 0; start < count; start += options.batchSize) {
        const size = Math.min(options.batchSize, count - start);
        const rows = Array.from({ length: size }, (_, i) => stream.slice((start + i) * length, (start + i + 1) * length));
        yield {
          x: tf.tensor2d(rows, [size, length], 'int32'),
          y: tf.tensor1d(Array.from({ length: size }, (_, i) => stream[(start + i + 1) * length] as number), 'int32'),
          index: tf.tensor1d(Array.from({ length: size }, (_, i) => start + i), 'int32'),
          size,
          augmented: false,
        };
      }
    },
  };
}

describe('perplexity', () => {
  const V = 6;
  const stream = Array.from({ length: 41 }, (_, i) => 1 + (i % (V - 1))); // 1 2 3 4 5 1 2 ...

  it('is the vocabulary size for a uniform model', () => {
    const result = perplexity(fakeLm(V, 4, 0), windows(stream, 4, V), { batchSize: 3 });
    close(result.perplexity, V);
    expect(result.tokens).toBe(40);
  });

  it('is exp of the mean NLL, independent of the batch size, and equals exp(lm-ce) on one batch', () => {
    const s = 2;
    const model = fakeLm(V, 4, s);
    const data = windows(stream, 4, V);
    const a = perplexity(model, data, { batchSize: 3 });
    const b = perplexity(model, data, { batchSize: 100 });
    close(a.meanNll, b.meanNll, 1e-6);
    // Next id is id + 1 except after 5 (then 1, while the model bets on 0): two kinds of positions.
    const right = -Math.log(Math.exp(s) / (Math.exp(s) + V - 1));
    const wrong = -Math.log(1 / (Math.exp(s) + V - 1));
    const targets = stream.slice(1);
    const expected = targets.reduce((acc, next, i) => acc + (next === ((stream[i] as number) + 1) % V ? right : wrong), 0) / targets.length;
    close(a.meanNll, expected);
    const [batch] = [...data.batches({ batchSize: 100, shuffle: false, seed: 0, epoch: 0 })];
    if (!batch) throw new Error('no batch');
    const outputs = model.forward(batch.x, { training: false });
    const context = { student: outputs, labels: batch.y, indices: batch.index, numClasses: V, progress: { epoch: 0, step: 0, fraction: 0 } };
    close(Math.exp(termOf(lmCeLoss(), context, 'lmCe')), a.perplexity);
    tf.dispose([batch.x, batch.y, batch.index, outputs.logits, ...Object.values(outputs.features)]);
  });

  it('leaks no tensors and rejects models without tokenLogits', () => {
    const before = tf.memory().numTensors;
    perplexity(fakeLm(V, 4, 1), windows(stream, 4, V), { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(codeOf(() => perplexity(fakeLm(V, 4, 1, ['pooled']), windows(stream, 4, V)))).toBe('FEATURE_MISSING');
    expect(codeOf(() => perplexity(fakeLm(V, 4, 1), windows(stream, 4, V), { batchSize: 0 }))).toBe('CONFIG_INVALID');
  });
});
