import * as tf from '@tensorflow/tfjs';
import { ConfigError, DistilleryError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTextModel,
  SequenceTooLongError,
  textCnn,
  textGru,
  TokenIdOutOfRangeError,
  transformerClassifier,
  transformerLM,
  validateTokenIds,
} from '../../src/index.js';
import type { TextModel } from '../../src/index.js';
import { idsTensor, readOutputs, TINY_CNN, TINY_ENCODER, TINY_GRU, TINY_LM, tokenRows } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Shapes of every output for a batch of 3 rows of 7 tokens. */
function outputShapes(model: TextModel): Record<string, number[]> {
  const x = idsTensor(tokenRows([7, 4, 2], 7, model.vocabSize, 1));
  const outputs = model.forward(x, { training: false });
  const shapes: Record<string, number[]> = { logits: outputs.logits.shape };
  for (const [name, t] of Object.entries(outputs.features)) shapes[name] = [...t.shape, t.dtype === 'int32' ? -32 : 32];
  tf.dispose([x, outputs.logits, ...Object.values(outputs.features)]);
  return shapes;
}

// Hand-derived parameter counts (independent of the source's encoderParamCount).
const dense = (inputs: number, units: number): number => inputs * units + units;
function encoderParams(v: number, maxLength: number, d: number, f: number, layers: number): number {
  const embeddings = v * d + maxLength * d + 2 * d; // token, position, layer-norm gamma/beta
  const layer = 4 * dense(d, d) + 2 * d + dense(d, f) + dense(f, d) + 2 * d; // Q K V O, LN, FFN, LN
  return embeddings + layers * layer;
}

describe('transformerClassifier', () => {
  it('exposes every tap of the text contract with its shape (float32, [B, L] mask)', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const [B, L, D, H, dh] = [3, 7, 8, 2, 4];
    const expected: Record<string, number[]> = { logits: [B, 3], mask: [B, L, 32], embeddings: [B, L, D, 32], pooled: [B, D, 32] };
    for (const i of [1, 2]) {
      expected[`hidden.${i}`] = [B, L, D, 32];
      expected[`attention.scores.${i}`] = [B, H, L, L, 32];
      expected[`attention.probs.${i}`] = [B, H, L, L, 32];
      for (const name of ['queries', 'keys', 'values']) expected[`${name}.${i}`] = [B, H, L, dh, 32];
    }
    expect(outputShapes(model)).toEqual(expected);
    expect([...model.featureNames].sort()).toEqual(Object.keys(expected).filter((k) => k !== 'logits').sort());
    expect(model.inputShape).toEqual([10]);
    expect(model.numClasses).toBe(3);
    model.dispose();
  });

  it('counts V*D + maxLength*D + 2D + layers*(4(D^2+D) + 4D + 2DF + F + D) + head parameters', () => {
    const model = transformerClassifier(TINY_ENCODER);
    expect(model.countParams()).toBe(encoderParams(12, 10, 8, 16, 2) + dense(8, 3));
    expect(model.countParams()).toBe(1419);
    // BERT-base shapes (30522 x 768, 512 positions, 12 layers, FFN 3072): HuggingFace's bert-base-uncased has
    // 109,482,240 parameters, of which the pooler (768^2 + 768) and token-type table (2 x 768) are not here
    expect(encoderParams(30522, 512, 768, 3072, 12)).toBe(109_482_240 - (768 * 768 + 768) - 2 * 768);
    expect(Object.keys(model.stateVariables())).toContain('layer2/attention/query/kernel');
    expect(Object.keys(model.stateVariables())).toContain('dropout/calls');
    expect(model.trainableVariables().length).toBe(Object.keys(model.stateVariables()).length - 1);
    model.dispose();
  });

  it('pools the [CLS] position: pooled equals hidden.<layers>[:, 0, :]', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const x = idsTensor(tokenRows([5, 3], 6, 12, 2));
    const out = readOutputs(model.forward(x, { training: false }));
    const hidden = out['hidden.2'] as number[];
    const pooled = out['pooled'] as number[];
    const expected = [0, 1].flatMap((b) => hidden.slice(b * 6 * 8, b * 6 * 8 + 8));
    expect(pooled).toEqual(expected);
    x.dispose();
    model.dispose();
  });

  it('gives attention probabilities that sum to 1 over real keys and are exactly 0 on padded keys', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const x = idsTensor(tokenRows([4], 6, 12, 3));
    const probs = readOutputs(model.forward(x, { training: false }))['attention.probs.1'] as number[];
    for (let row = 0; row < 2 * 6; row++) {
      const p = probs.slice(row * 6, row * 6 + 6);
      expect(p.slice(4)).toEqual([0, 0]);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    }
    x.dispose();
    model.dispose();
  });
});

describe('transformerLM', () => {
  it('has tokenLogits [B, L, V], int32 tokens, logits at the last real position, encoder taps', () => {
    const model = transformerLM(TINY_LM);
    const shapes = outputShapes(model);
    expect(shapes['logits']).toEqual([3, 12]);
    expect(shapes['tokenLogits']).toEqual([3, 7, 12, 32]);
    expect(shapes['tokens']).toEqual([3, 7, -32]);
    expect(shapes['mask']).toEqual([3, 7, 32]);
    expect(shapes['attention.probs.2']).toEqual([3, 2, 7, 7, 32]);
    expect(shapes['values.1']).toEqual([3, 2, 7, 4, 32]);
    expect(model.numClasses).toBe(12);

    const rows = tokenRows([7, 4], 7, 12, 4, false);
    const x = idsTensor(rows);
    const out = readOutputs(model.forward(x, { training: false }));
    expect(out['tokens']).toEqual(rows.flat());
    const tokenLogits = out['tokenLogits'] as number[];
    const at = (b: number, t: number): number[] => tokenLogits.slice((b * 7 + t) * 12, (b * 7 + t + 1) * 12);
    expect(out['logits']).toEqual([...at(0, 6), ...at(1, 3)]);
    x.dispose();
    model.dispose();
  });

  it('ties the output projection to the embeddings (V extra parameters) or unties it (D*V + V)', () => {
    const tied = transformerLM(TINY_LM);
    const untied = transformerLM({ ...TINY_LM, tiedEmbeddings: false });
    expect(tied.countParams()).toBe(encoderParams(12, 10, 8, 16, 2) + 12);
    expect(untied.countParams()).toBe(encoderParams(12, 10, 8, 16, 2) + dense(8, 12));
    expect(tied.spec).toMatchObject({ kind: 'transformer-lm', config: { tiedEmbeddings: true, numClasses: 12 } });
    // tied: logits = h . E^T + b; check one row by hand from the taps
    const x = idsTensor([[5, 6, 7]]);
    const out = tied.forward(x, { training: false });
    const h = tf.slice(out.features['hidden.2'] as tf.Tensor, [0, 2, 0], [1, 1, 8]).reshape([1, 8]);
    const table = tied.stateVariables()['embeddings/token'] as tf.Variable;
    const manual = tf.add(tf.matMul(h, table, false, true), tied.stateVariables()['lm/bias'] as tf.Variable);
    expect(Math.max(...tf.abs(tf.sub(manual, out.logits)).dataSync())).toBeLessThan(1e-6);
    tf.dispose([x, h, manual, out.logits, ...Object.values(out.features)]);
    tied.dispose();
    untied.dispose();
  });
});

describe('textCnn and textGru', () => {
  it('textCnn: taps, pooled size filters x widths, and E*V + sum(w*E*F + F) + head parameters', () => {
    const model = textCnn(TINY_CNN);
    expect(outputShapes(model)).toEqual({ logits: [3, 3], mask: [3, 7, 32], embeddings: [3, 7, 6, 32], pooled: [3, 8, 32] });
    expect(model.countParams()).toBe(12 * 6 + (2 * 6 * 4 + 4) + (3 * 6 * 4 + 4) + dense(8, 3));
    model.dispose();
  });

  it('textGru / BiGRU: pooled H or 2H and 3H(E+H) + 6H parameters per direction', () => {
    const gru = textGru(TINY_GRU);
    const bigru = textGru({ ...TINY_GRU, bidirectional: true, pooling: 'mean' });
    const direction = 3 * 5 * (6 + 5) + 6 * 5;
    expect(outputShapes(gru)).toEqual({ logits: [3, 3], mask: [3, 7, 32], embeddings: [3, 7, 6, 32], pooled: [3, 5, 32] });
    expect(outputShapes(bigru)['pooled']).toEqual([3, 10, 32]);
    expect(gru.countParams()).toBe(12 * 6 + direction + dense(5, 3));
    expect(bigru.countParams()).toBe(12 * 6 + 2 * direction + dense(10, 3));
    gru.dispose();
    bigru.dispose();
  });

  it('zeroes the embeddings tap at padded positions', () => {
    const model = textCnn(TINY_CNN);
    const x = idsTensor([[2, 5, 0, 0]]);
    const embeddings = readOutputs(model.forward(x, { training: false }))['embeddings'] as number[];
    expect(embeddings.slice(12).every((v) => v === 0)).toBe(true); // -0 or 0
    expect(embeddings.slice(0, 12).some((v) => v !== 0)).toBe(true);
    x.dispose();
    model.dispose();
  });
});

describe('seeds and dropout', () => {
  const configs = [
    () => transformerClassifier(TINY_ENCODER),
    () => transformerLM(TINY_LM),
    () => textCnn(TINY_CNN),
    () => textGru({ ...TINY_GRU, bidirectional: true }),
  ];

  it('rebuilds bit-identical weights from (config, seed); another seed changes every random weight', () => {
    for (const make of configs) {
      const a = make();
      const b = buildTextModel(a.spec);
      const c = buildTextModel({ ...a.spec, config: { ...a.spec.config, seed: 8 } } as typeof a.spec);
      for (const [name, variable] of Object.entries(a.stateVariables())) {
        const values = Array.from(variable.dataSync());
        expect(Array.from((b.stateVariables()[name] as tf.Variable).dataSync())).toEqual(values);
        const constant = values.every((v) => v === values[0]);
        if (!constant) expect(Array.from((c.stateVariables()[name] as tf.Variable).dataSync())).not.toEqual(values);
      }
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('draws a new dropout mask per training call, the same sequence for the same seed, none in inference', () => {
    const x = idsTensor(tokenRows([6, 5], 6, 12, 5));
    for (const make of configs) {
      const a = make();
      const b = make();
      const logits = (m: TextModel, training: boolean): number[] => readOutputs(m.forward(x, { training }))['logits'] as number[];
      const a1 = logits(a, true);
      const a2 = logits(a, true);
      expect(a2).not.toEqual(a1);
      expect(logits(b, true)).toEqual(a1);
      expect(logits(b, true)).toEqual(a2);
      expect(Array.from((a.stateVariables()['dropout/calls'] as tf.Variable).dataSync())).toEqual([2]);
      const inference = logits(a, false);
      expect(logits(a, false)).toEqual(inference);
      const predicted = a.predictLogits(x);
      expect(Array.from(predicted.dataSync())).toEqual(inference);
      predicted.dispose();
      expect(Array.from((a.stateVariables()['dropout/calls'] as tf.Variable).dataSync())).toEqual([2]);
      a.dispose();
      b.dispose();
    }
    x.dispose();
  });

  it('continues the mask sequence after the counter is restored (as a checkpoint would)', () => {
    const x = idsTensor(tokenRows([6], 6, 12, 6));
    const a = transformerClassifier(TINY_ENCODER);
    const b = transformerClassifier(TINY_ENCODER);
    readOutputs(a.forward(x, { training: true }));
    readOutputs(a.forward(x, { training: true }));
    const third = readOutputs(a.forward(x, { training: true }))['logits'];
    tf.tidy(() => (b.stateVariables()['dropout/calls'] as tf.Variable).assign(tf.scalar(2)));
    expect(readOutputs(b.forward(x, { training: true }))['logits']).toEqual(third);
    [x, a, b].forEach((t) => t.dispose());
  });
});

describe('errors', () => {
  const code = (run: () => unknown): string | undefined => {
    try {
      run();
    } catch (error) {
      if (error instanceof DistilleryError) return `${error.code}: ${error.message}`;
      throw error;
    }
    return undefined;
  };

  it('refuses heads that do not divide the width, naming both and a fix', () => {
    const message = code(() => transformerClassifier({ ...TINY_ENCODER, width: 10, heads: 4 }));
    expect(message).toMatch(/^CONFIG_INVALID: heads = 4 does not divide width = 10/);
    expect(message).toMatch(/use heads = 2 or 5/);
    expect(() => transformerLM({ ...TINY_LM, width: 12, heads: 5 })).toThrow(ConfigError);
  });

  it('refuses an LM whose numClasses is not the vocabulary size', () => {
    expect(code(() => transformerLM({ ...TINY_LM, numClasses: 3 }))).toMatch(/numClasses must equal vocabSize = 12, got 3/);
    const ok = transformerLM({ ...TINY_LM, numClasses: 12 });
    expect(ok.numClasses).toBe(12);
    ok.dispose();
  });

  it('refuses other bad configs', () => {
    expect(() => transformerClassifier({ ...TINY_ENCODER, vocabSize: 4 })).toThrow(ConfigError);
    expect(() => transformerClassifier({ ...TINY_ENCODER, dropout: 1 })).toThrow(ConfigError);
    expect(() => transformerClassifier({ ...TINY_ENCODER, numClasses: 1 })).toThrow(ConfigError);
    expect(() => textCnn({ ...TINY_CNN, filterWidths: [] })).toThrow(ConfigError);
    expect(() => textGru({ ...TINY_GRU, hiddenSize: 0 })).toThrow(ConfigError);
    expect(() => buildTextModel({ kind: 'lstm' } as never)).toThrow(ConfigError);
  });

  it('refuses sequences longer than maxLength, naming both lengths and the fix', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const x = tf.zeros([2, 11], 'int32');
    let caught: unknown;
    try {
      model.forward(x, { training: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SequenceTooLongError);
    expect((caught as SequenceTooLongError).code).toBe('INPUT_SHAPE_MISMATCH');
    expect((caught as Error).message).toMatch(/sequences of 11 tokens but accepts at most maxLength = 10/);
    expect((caught as Error).message).toMatch(/truncate to 10 tokens .* or rebuild the model with maxLength >= 11/);
    expect(() => model.predictLogits(x)).toThrow(SequenceTooLongError);
    const flat = tf.zeros([4], 'int32');
    expect(code(() => model.forward(flat, { training: false }))).toMatch(/^INPUT_SHAPE_MISMATCH/);
    tf.dispose([x, flat]);
    model.dispose();
  });

  it('refuses token ids outside [0, vocabSize) at the first forward and in validateInputs', () => {
    for (const make of [() => transformerClassifier(TINY_ENCODER), () => textGru(TINY_GRU)]) {
      const model = make();
      const bad = idsTensor([[2, 5, 12, 0]]);
      const negative = idsTensor([[2, -1]]);
      expect(() => model.forward(bad, { training: false })).toThrow(TokenIdOutOfRangeError);
      expect(code(() => model.validateInputs(bad))).toMatch(/token id 12, outside \[0, 11\] \(vocabSize = 12\)/);
      expect(() => model.validateInputs(negative)).toThrow(TokenIdOutOfRangeError);
      expect(() => validateTokenIds('data', bad, 13)).not.toThrow();
      tf.dispose([bad, negative]);
      model.dispose();
    }
  });

  it('accepts float32 ids (cast to int32) with the same outputs', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const rows = tokenRows([5, 3], 5, 12, 9);
    const ints = idsTensor(rows);
    const floats = tf.tensor2d(rows, undefined, 'float32');
    expect(readOutputs(model.forward(floats, { training: false }))).toEqual(readOutputs(model.forward(ints, { training: false })));
    tf.dispose([ints, floats]);
    model.dispose();
  });

  it('refuses a disposed model and does not leak tensors in forward or predictLogits', () => {
    const model = textCnn(TINY_CNN);
    const x = idsTensor(tokenRows([4], 5, 12, 10));
    readOutputs(model.forward(x, { training: true }));
    const before = tf.memory().numTensors;
    readOutputs(model.forward(x, { training: true }));
    model.predictLogits(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const variables = Object.keys(model.stateVariables()).length;
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - variables);
    expect(() => model.forward(x, { training: false })).toThrow(ConfigError);
    x.dispose();
  });
});
