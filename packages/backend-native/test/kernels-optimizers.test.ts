import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM_KERNEL, FUSED_MOMENTUM_KERNEL, FUSED_SGD_KERNEL, createOptimizer, type OptimizerSpec } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomValues } from './helpers.js';

// Reference: tfjs's own optimisers on the stock 'cpu' backend (core's fused optimisers fall back to
// them there). Subject: the same optimisers on 'native', where each variable's update is one native
// kernel call. Both compute the same float32 operations in the same order, so the results must be
// equal bit for bit, not just close.
const available = loadNativeKernels();

const SPECS: OptimizerSpec[] = [
  { name: 'adam', learningRate: 0.01 },
  { name: 'adam', learningRate: 0.002, beta1: 0.85, beta2: 0.99, epsilon: 1e-4 },
  { name: 'sgd', learningRate: 0.05 },
  { name: 'momentum', learningRate: 0.02, momentum: 0.9 },
  { name: 'momentum', learningRate: 0.02, momentum: 0.7, nesterov: true },
];

// [300, 500] = 150,000 elements: above the addon's per-thread grain, so the update is split over threads.
const SHAPES: number[][] = [[37, 11], [300, 500], [5], [2, 3, 4, 5]];
let run = 0;

/** Runs `steps` updates with gradients from a fixed formula; returns the variables and optimiser slots. */
async function train(backend: string, spec: OptimizerSpec, steps: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const optimizer = createOptimizer(spec);
  run++;
  const vars = SHAPES.map((shape, i) => tf.variable(tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), i + 1), shape), true, `${backend}-${spec.name}-${run}-${i}`));
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      // Gradients of mixed sign and magnitude, some exactly zero.
      const grads = vars.map((v, i) => tf.relu(tf.sin(v.mul(3 + step + i))).sub(0.2).mul(i + 1));
      optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
    });
  }
  const slots = (await optimizer.getWeights()).map((w) => Float32Array.from(w.tensor.dataSync()));
  const values = vars.map((v) => Float32Array.from(v.dataSync()));
  tf.dispose(vars);
  optimizer.dispose();
  return [...values, ...slots];
}

describe.skipIf(!available)('fused native optimiser updates', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it('registers the kernels core dispatches to', () => {
    for (const name of [FUSED_ADAM_KERNEL, FUSED_SGD_KERNEL, FUSED_MOMENTUM_KERNEL]) expect(tf.getKernel(name, 'native')).toBeDefined();
    expect(tf.getKernel(FUSED_ADAM_KERNEL, 'cpu')).toBeUndefined();
  });

  it.each(SPECS)('$name (lr $learningRate): bitwise equal to tfjs after 5 steps, variables and slots', async (spec) => {
    const expected = await train('cpu', spec, 5);
    const actual = await train('native', spec, 5);
    expect(actual.length).toBe(expected.length);
    actual.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(expected[i]!)));
  });

  it('the raw Adam update matches a float32 reference on random values, both thread paths', () => {
    const addon = loadNativeAddon()!;
    for (const size of [1000, 400_000]) {
      const [w, g, m, v] = [1, 2, 3, 4].map((seed) => randomValues(size, seed));
      v!.forEach((x, i) => (v![i] = Math.abs(x)));
      const out = [new Float32Array(size), new Float32Array(size), new Float32Array(size)] as const;
      const f = Math.fround;
      const [lr, b1, b2, eps, acc1, acc2] = [0.01, 0.9, 0.999, 1e-7, f(0.9 ** 3), f(0.999 ** 3)];
      addon.adamUpdate(w!, g!, m!, v!, out[0], out[1], out[2], lr, b1, b2, eps, 1 - b1, 1 - b2, f(1 - acc1), f(1 - acc2));
      for (let i = 0; i < size; i += 997) {
        const gi = g![i]!;
        const mi = f(f(m![i]! * f(b1)) + f(gi * f(1 - b1)));
        const vi = f(f(v![i]! * f(b2)) + f(f(gi * gi) * f(1 - b2)));
        const wi = f(f(f(f(mi / f(1 - acc1)) / f(f(Math.sqrt(f(vi / f(1 - acc2)))) + f(eps))) * f(-lr)) + w![i]!);
        expect([out[0][i], out[1][i], out[2][i]]).toEqual([wi, mi, vi]);
      }
    }
  });

  it('rejects arrays of different lengths instead of reading past one', () => {
    const addon = loadNativeAddon()!;
    const a = new Float32Array(8);
    expect(() => addon.adamUpdate(a, a, a, new Float32Array(7), a, a, a, 0.1, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.1, 0.001)).toThrow(RangeError);
    expect(() => addon.sgdUpdate(a, new Float32Array(9), a, -0.1)).toThrow(RangeError);
    expect(() => addon.momentumUpdate(a, a, a, a, new Float32Array(3), -0.1, 0.9, false)).toThrow(RangeError);
  });
});
