import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@distillery/core';
import { NearestUpsample2x, batchNormTeacher, imageGenerator, inversionObjective, latentCodes, lenet5Bn, roll } from '../src/index.js';

/**
 * The generator and the inversion objective need gradients of LeakyReLU, batch norm in training mode,
 * tanh, 'same' convolutions, broadcast multiplies, slices and concats on the wasm backend: tfjs-backend-wasm
 * 4.22 has all of them (stock or registered by @distillery/core), so no kernel is added. These tests check
 * their values against the cpu backend. (Nearest upsampling avoids ResizeNearestNeighborGrad, whose cpu
 * kernel is wrong for batches > 1: see NearestUpsample2x.)
 */
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

function relativeError(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number)))) / scale;
}

/** runs `compute` on wasm and on cpu from identical initial values and returns both flattened results */
async function onBoth(compute: () => tf.Tensor[]): Promise<[number[][], number[][]]> {
  const results: number[][][] = [];
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    results.push(tf.tidy(compute).map((t) => {
      const values = Array.from(t.dataSync());
      t.dispose();
      return values;
    }));
  }
  await tf.setBackend('wasm');
  return results as [number[][], number[][]];
}

describe('data-free gradients on wasm match the cpu backend', () => {
  it('nearest 2x upsampling: the forward equals resizeNearestNeighbor, the gradient the 2x2 block sums, on both backends', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const errors = tf.tidy(() => {
        const layer = new NearestUpsample2x({});
        const x = tf.randomNormal([3, 4, 5, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const dy = tf.randomNormal([3, 8, 10, 2], 0, 1, 'float32', 2);
        const forward = tf.max(tf.abs(tf.sub(layer.apply(x) as tf.Tensor, tf.image.resizeNearestNeighbor(x, [8, 10])))).dataSync()[0];
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, dy)))(x);
        const blockSums = tf.sum(tf.reshape(dy, [3, 4, 2, 5, 2, 2]), [2, 4]);
        return [forward, tf.max(tf.abs(tf.sub(grad, blockSums))).dataSync()[0]];
      });
      expect(errors, backend).toEqual([0, expect.any(Number)]);
      expect(errors[1] as number, backend).toBeLessThan(1e-5);
    }
    await tf.setBackend('wasm');
  });

  it('the DAFL generator: output and gradients of every variable and of z', async () => {
    const build = () => imageGenerator({ outputShape: [8, 8, 1], latentDim: 6, width: 8, seed: 3 });
    const [wasm, cpu] = await onBoth(() => {
      const generator = build();
      const z = latentCodes(3, 6, 1, 0);
      const target = tf.linspace(-1, 1, 3 * 64).reshape([3, 8, 8, 1]);
      const loss = (latent: tf.Tensor) => tf.mean(tf.square(tf.sub(generator.generate(latent as tf.Tensor2D, { training: true }), target))) as tf.Scalar;
      const { grads } = tf.variableGrads(() => loss(z), generator.trainableVariables());
      const dz = tf.grad(loss)(z);
      const out = generator.generate(z, { training: true });
      const result = [out, dz, ...generator.trainableVariables().map((v) => grads[v.name] as tf.Tensor)];
      const kept = result.map((t) => t.clone());
      generator.dispose();
      return kept;
    });
    expect(wasm.length).toBeGreaterThan(10);
    // Biases of convolutions followed by a batch norm have a zero true gradient (the norm removes any shift):
    // their float32 values are rounding noise, so every gradient is judged against the largest gradient.
    const scale = Math.max(...cpu.slice(1).flat().map(Math.abs));
    wasm.forEach((values, i) => {
      const worst = Math.max(...values.map((v, j) => Math.abs(v - (cpu[i]?.[j] as number))));
      expect(worst / (i === 0 ? Math.max(...(cpu[0] as number[]).map(Math.abs)) : scale), `tensor ${i}`).toBeLessThan(1e-5);
    });
  });

  it('the DeepInversion objective through a batch-norm LeNet-5: gradient with respect to jittered inputs', async () => {
    const [wasm, cpu] = await onBoth(() => {
      const model = lenet5Bn({ numClasses: 10, seed: 5 });
      const teacher = batchNormTeacher(model);
      const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 9);
      const targets = tf.tensor1d([3, 7], 'int32');
      const weights = { classification: 1, batchNorm: 1, firstBatchNormScale: 10, tvL2: 1e-3, tvL1: 1e-3, l2: 1e-3 };
      const objective = (input: tf.Tensor) => {
        const view = roll(input as tf.Tensor4D, 2, -1);
        return inversionObjective(teacher.forward(view), view, targets, teacher.batchNormStatistics, weights)['inversion'] as tf.Scalar;
      };
      const { value, grad } = tf.valueAndGrad(objective)(x);
      const kept = [value.clone(), grad.clone()];
      model.dispose();
      return kept;
    });
    expect(relativeError(wasm[0] as number[], cpu[0] as number[])).toBeLessThan(1e-4);
    expect(relativeError(wasm[1] as number[], cpu[1] as number[])).toBeLessThan(1e-3);
  });
});
