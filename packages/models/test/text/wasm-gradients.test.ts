import * as tf from '@tensorflow/tfjs';
import { mulberry32, selectBackend } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionBias, multiHeadAttention } from '../../src/text/attention.js';
import { embed, layerNorm } from '../../src/text/ops.js';
import { textCnn, textGru, transformerClassifier, transformerLM } from '../../src/index.js';
import type { TextModel } from '../../src/index.js';
import { randomArray, TINY_CNN, TINY_ENCODER, TINY_GRU, TINY_LM, tokenRows } from './helpers.js';

/**
 * The Transformer's gradients on tfjs-wasm (with core's extra kernels, as selectBackend installs them)
 * against the reference 'cpu' backend. Inputs travel as plain arrays and are rebuilt on each backend.
 * Tolerance as core's kernel tests: max |wasm - cpu| <= 1e-4 x max |cpu| per gradient.
 */
const RTOL = 1e-4;

type Spec = { shape: number[]; values: number[] };

async function onBoth(run: () => tf.Tensor[]): Promise<[number[][], number[][]]> {
  const read = (): number[][] => tf.tidy(() => run()).map((t) => {
    const values = Array.from(t.dataSync());
    t.dispose();
    return values;
  });
  await tf.setBackend('wasm');
  const wasm = read();
  await tf.setBackend('cpu');
  const cpu = read();
  return [wasm, cpu];
}

function expectClose(wasm: number[][], cpu: number[][]): void {
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((expected, i) => {
    const actual = wasm[i] as number[];
    expect(actual.length).toBe(expected.length);
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale, `gradient ${i} is identically zero`).toBeGreaterThan(0);
    const diff = Math.max(...expected.map((v, j) => Math.abs((actual[j] as number) - v)));
    expect(diff / scale, `gradient ${i}`).toBeLessThan(RTOL);
  });
}

/** A gradient that is zero in exact arithmetic: tiny next to `reference` (another gradient's scale). */
function expectAnalyticZero(values: readonly number[][], reference: readonly number[]): void {
  const scale = Math.max(...reference.map(Math.abs));
  for (const v of values) expect(Math.max(...v.map(Math.abs)) / scale).toBeLessThan(1e-5);
}

const tensorOf = (spec: Spec): tf.Tensor => tf.tensor(spec.values, spec.shape);
const randomSpec = (shape: number[], seed: number, scale = 1): Spec => ({ shape, values: randomArray(shape.reduce((a, b) => a * b, 1), seed, scale) });

/** Random [B, L, D] shapes (heads divides D) drawn from a seed, so the cases are reproducible. */
function randomShapes(count: number, seed: number): Array<{ batch: number; length: number; heads: number; width: number }> {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const heads = 1 + random.int(3);
    return { batch: 1 + random.int(3), length: 2 + random.int(7), heads, width: heads * (2 + random.int(5)) };
  });
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' }); // registers core's wasm gradient kernels
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm vs cpu gradients', () => {
  it('layer norm: d/dx, d/dgamma, d/dbeta on random shapes', async () => {
    for (const [i, { batch, length, width }] of randomShapes(4, 21).entries()) {
      const x = randomSpec([batch, length, width], 100 + i, 2);
      const gamma = randomSpec([width], 200 + i);
      const beta = randomSpec([width], 300 + i);
      const w = randomSpec([batch, length, width], 400 + i);
      const [wasm, cpu] = await onBoth(() => {
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layerNorm(a, { gamma: g, beta: b }), tensorOf(w)));
        return tf.grads(f)([tensorOf(x), tensorOf(gamma), tensorOf(beta)]);
      });
      expectClose(wasm, cpu);
    }
  });

  it('multi-head attention (padding and causal masks): d/dx and d/d every weight', async () => {
    for (const [i, { batch, length, heads, width }] of randomShapes(4, 22).entries()) {
      const causal = i % 2 === 1;
      const random = mulberry32(500 + i);
      // at least two real keys per row: with one, softmax is constant and the query gradient vanishes
      const lengths = Array.from({ length: batch }, () => 2 + random.int(length - 1));
      const mask = lengths.flatMap((n) => Array.from({ length }, (_, t) => (t < n ? 1 : 0)));
      const x = randomSpec([batch, length, width], 600 + i);
      const weights = Array.from({ length: 8 }, (_, k) => randomSpec(k % 2 === 0 ? [width, width] : [width], 700 + 10 * i + k, 0.5));
      const wOut = randomSpec([batch, length, width], 800 + i);
      const wProbs = randomSpec([batch, heads, length, length], 900 + i);
      const [wasm, cpu] = await onBoth(() => {
        const f = (...args: tf.Tensor[]): tf.Scalar => {
          const [input, qk, qb, kk, kb, vk, vb, ok, ob] = args as [tf.Tensor, ...tf.Tensor[]];
          const bias = attentionBias(tf.tensor2d(mask, [batch, length]), causal);
          const weightsOf = (kernel: tf.Tensor | undefined, b: tf.Tensor | undefined) => ({ kernel: kernel as tf.Tensor, bias: b as tf.Tensor });
          const result = multiHeadAttention(input, { query: weightsOf(qk, qb), key: weightsOf(kk, kb), value: weightsOf(vk, vb), output: weightsOf(ok, ob) }, heads, bias);
          return tf.add(tf.sum(tf.mul(result.output, tensorOf(wOut))), tf.sum(tf.mul(result.probs, tensorOf(wProbs))));
        };
        return tf.grads(f)([tensorOf(x), ...weights.map(tensorOf)]);
      });
      // The key bias adds q.b to every score of a query row, which softmax ignores: its gradient is 0
      // analytically, so both backends return rounding noise that only an absolute bound can compare.
      const KEY_BIAS = 4;
      expectAnalyticZero([wasm[KEY_BIAS]!, cpu[KEY_BIAS]!], cpu[0]!);
      expectClose(wasm.filter((_, k) => k !== KEY_BIAS), cpu.filter((_, k) => k !== KEY_BIAS));
    }
  });

  it('token embedding lookup: d/dtable goes through UnsortedSegmentSum, repeated ids accumulate', async () => {
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBeDefined();
    const table = randomSpec([13, 6], 31);
    const ids = tokenRows([7, 7, 4], 7, 13, 32).flat();
    ids[1] = 5;
    ids[2] = 5; // a repeated id must sum its gradients
    const w = randomSpec([3, 7, 6], 33);
    const [wasm, cpu] = await onBoth(() => {
      const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(embed(t, tf.tensor2d(ids, [3, 7], 'int32')), tensorOf(w)));
      return tf.grads(f)([tensorOf(table)]);
    });
    expectClose([wasm[0]!.filter((_, j) => cpu[0]![j] !== 0)], [cpu[0]!.filter((v) => v !== 0)]);
    expectClose(wasm, cpu);
  });

  const MODELS: ReadonlyArray<[string, () => TextModel]> = [
    ['transformerClassifier', () => transformerClassifier({ ...TINY_ENCODER, dropout: 0 })],
    ['transformerLM (tied)', () => transformerLM({ ...TINY_LM, dropout: 0 })],
    ['textCnn', () => textCnn({ ...TINY_CNN, dropout: 0 })],
    ['BiGRU', () => textGru({ ...TINY_GRU, bidirectional: true, dropout: 0 })],
  ];

  it.each(MODELS)('%s: cross-entropy gradients of every variable (the model rebuilt from its seed on each backend)', async (_, make) => {
    const rows = tokenRows([8, 5, 3], 8, 12, 41);
    let names: string[] = [];
    const [wasm, cpu] = await onBoth(() => {
      const model = make();
      const x = tf.tensor2d(rows, undefined, 'int32');
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), model.numClasses);
      const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: false }).logits) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, model.trainableVariables());
      const entries = Object.entries(model.stateVariables()).filter(([, v]) => v.trainable);
      names = entries.map(([name]) => name);
      const kept = entries.map(([, v]) => tf.keep(grads[v.name] as tf.Tensor));
      model.dispose();
      return kept;
    });
    expect(names.length).toBe(wasm.length);
    const analyticZero = names.map((name) => name.endsWith('attention/key/bias'));
    const reference = cpu[names.indexOf('embeddings/token')]!;
    names.forEach((_, i) => {
      if (analyticZero[i]) expectAnalyticZero([wasm[i]!, cpu[i]!], reference);
    });
    // rows of ids that never occur get exactly zero gradient on both backends; the rest must match
    const nonZero = (g: number[], other: number[]): number[] => g.filter((v, j) => v !== 0 || other[j] !== 0);
    expectClose(
      wasm.filter((_, i) => !analyticZero[i]).map((g, i) => nonZero(g, cpu.filter((_, k) => !analyticZero[k])[i]!)),
      cpu.filter((_, i) => !analyticZero[i]).map((g, i) => nonZero(g, wasm.filter((_, k) => !analyticZero[k])[i]!)),
    );
  });
});
