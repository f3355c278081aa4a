import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '@distillery/core';
import type { ModelOutputs } from '@distillery/core';
import type { TextCnnConfig, TextGruConfig, TransformerClassifierConfig, TransformerLMConfig } from '../../src/index.js';

export const TINY_ENCODER: TransformerClassifierConfig = { vocabSize: 12, maxLength: 10, width: 8, heads: 2, ffWidth: 16, layers: 2, numClasses: 3, dropout: 0.1, seed: 7 };
export const TINY_LM: TransformerLMConfig = { vocabSize: 12, maxLength: 10, width: 8, heads: 2, ffWidth: 16, layers: 2, dropout: 0.1, seed: 7 };
export const TINY_CNN: TextCnnConfig = { vocabSize: 12, maxLength: 10, embeddingSize: 6, filterWidths: [2, 3], filters: 4, numClasses: 3, seed: 7 };
export const TINY_GRU: TextGruConfig = { vocabSize: 12, maxLength: 10, embeddingSize: 6, hiddenSize: 5, numClasses: 3, seed: 7 };

/** Rows of token ids: [CLS] then random word ids (>= 4), right-padded with 0 to `length`. */
export function tokenRows(lengths: readonly number[], length: number, vocabSize: number, seed: number, cls = true): number[][] {
  const random = mulberry32(seed);
  return lengths.map((n) =>
    Array.from({ length }, (_, i) => {
      if (i >= n) return 0;
      if (i === 0 && cls) return 2;
      return 4 + random.int(vocabSize - 4);
    }),
  );
}

export function idsTensor(rows: readonly number[][]): tf.Tensor2D {
  return tf.tensor2d(rows.map((r) => [...r]), undefined, 'int32');
}

/** Every output as nested arrays (logits under "logits"), then disposes the outputs. */
export function readOutputs(outputs: ModelOutputs): Record<string, number[]> {
  const result: Record<string, number[]> = { logits: Array.from(outputs.logits.dataSync()) };
  for (const [name, tensor] of Object.entries(outputs.features)) result[name] = Array.from(tensor.dataSync());
  tf.dispose([outputs.logits, ...Object.values(outputs.features)]);
  return result;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

export function randomArray(size: number, seed: number, scale = 1): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: size }, () => random.normal() * scale);
}
