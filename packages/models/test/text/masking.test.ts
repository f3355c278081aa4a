import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { textCnn, textGru, transformerClassifier, transformerLM } from '../../src/index.js';
import type { TextModel } from '../../src/index.js';
import { idsTensor, maxAbsDifference, TINY_CNN, TINY_ENCODER, TINY_GRU, TINY_LM, tokenRows } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Which axes of each tap index sequence positions (batch is axis 0 everywhere). */
function positionAxes(name: string): number[] {
  if (name.startsWith('attention.')) return [2, 3]; // [B, H, query, key]
  if (/^(queries|keys|values)\./.test(name)) return [2]; // [B, H, L, dh]
  if (name === 'logits' || name === 'pooled') return [];
  return [1]; // mask, tokens, embeddings, hidden.i, tokenLogits
}

/** Values of a tensor at entries whose every position index is a real token of that row. */
function realEntries(tensor: tf.Tensor, axes: readonly number[], lengths: readonly number[]): number[] {
  const values = tensor.dataSync();
  const shape = tensor.shape;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const kept: number[] = [];
  for (let flat = 0; flat < values.length; flat++) {
    const index = shape.map((d, i) => Math.floor(flat / (strides[i] as number)) % d);
    const row = index[0] as number;
    if (axes.every((axis) => (index[axis] as number) < (lengths[row] as number))) kept.push(values[flat] as number);
  }
  return kept;
}

function realOutputs(model: TextModel, rows: number[][], lengths: readonly number[]): Record<string, number[]> {
  const x = idsTensor(rows);
  const { logits, features } = model.forward(x, { training: false });
  const result: Record<string, number[]> = { logits: realEntries(logits, [], lengths) };
  for (const [name, t] of Object.entries(features)) result[name] = realEntries(t, positionAxes(name), lengths);
  tf.dispose([x, logits, ...Object.values(features)]);
  return result;
}

const MODELS: ReadonlyArray<[string, () => TextModel]> = [
  ['transformerClassifier', () => transformerClassifier(TINY_ENCODER)],
  ['transformerLM', () => transformerLM(TINY_LM)],
  ['textCnn', () => textCnn({ ...TINY_CNN, filterWidths: [1, 3, 4] })],
  ['textGru (last)', () => textGru(TINY_GRU)],
  ['BiGRU (mean)', () => textGru({ ...TINY_GRU, bidirectional: true, pooling: 'mean' })],
];

describe('masking', () => {
  it.each(MODELS)('%s: appending [PAD] changes no value at real positions (logits, pooled, every tap)', (_, make) => {
    const model = make();
    const lengths = [6, 3, 1];
    const short = tokenRows(lengths, 6, 12, 11);
    const long = short.map((row) => [...row, 0, 0, 0, 0]);
    const a = realOutputs(model, short, lengths);
    const b = realOutputs(model, long, lengths);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a)) {
      expect(b[name]?.length, name).toBe(a[name]?.length);
      expect(maxAbsDifference(a[name] as number[], b[name] as number[]), name).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it.each(MODELS)('%s: a short row gives the same real values alone as padded beside a longer row', (_, make) => {
    // Same real tokens, but the padded tail of row 0 differs in length inside the same batch as a longer row.
    const model = make();
    const lengths = [2, 7];
    const rows = tokenRows(lengths, 7, 12, 12);
    const alone = realOutputs(model, [rows[0]!.slice(0, 2)], [2]);
    const batched = realOutputs(model, rows, lengths);
    for (const name of ['logits', 'mask', 'embeddings', 'pooled', 'hidden.1', 'attention.probs.2', 'tokenLogits']) {
      if (!(name in alone)) continue;
      const values = alone[name] as number[];
      expect(maxAbsDifference(values, (batched[name] as number[]).slice(0, values.length)), name).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('transformerLM is causal: changing token k changes no tokenLogits/hidden/attention before k', () => {
    const model = transformerLM({ ...TINY_LM, tiedEmbeddings: false });
    const rows = tokenRows([8], 8, 12, 13, false);
    for (const k of [1, 4, 7]) {
      const changed = rows.map((row) => row.map((id, i) => (i === k ? 4 + ((id - 4 + 3) % 8) : id)));
      const a = realOutputs(model, rows, [k]);
      const b = realOutputs(model, changed, [k]);
      for (const name of ['tokenLogits', 'hidden.1', 'hidden.2', 'attention.probs.2', 'values.2']) {
        expect(maxAbsDifference(a[name] as number[], b[name] as number[]), `${name} before ${k}`).toBeLessThan(1e-6);
      }
      // ... while position k itself does change
      const atK = (r: number[][]): number[] => realOutputs(model, r, [k + 1])['tokenLogits']!.slice(k * 12);
      expect(maxAbsDifference(atK(rows), atK(changed))).toBeGreaterThan(1e-4);
    }
    model.dispose();
  });

  it('transformerClassifier is not causal: a later token changes the [CLS] state', () => {
    const model = transformerClassifier(TINY_ENCODER);
    const rows = tokenRows([5], 5, 12, 14);
    const changed = [rows[0]!.map((id, i) => (i === 4 ? 4 + ((id - 4 + 1) % 8) : id))];
    const pooled = (r: number[][]): number[] => realOutputs(model, r, [5])['pooled'] as number[];
    expect(maxAbsDifference(pooled(rows), pooled(changed))).toBeGreaterThan(1e-4);
    model.dispose();
  });
});
