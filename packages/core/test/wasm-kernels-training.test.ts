import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradientKernels } from '../src/backend/wasm-kernels/index.js';

/**
 * End to end: models that need the added kernels (conv filter gradients, max-pool gradients, gather
 * gradients) train on wasm. Each trains on a tiny synthetic task whose loss must fall.
 */

/** Deterministic uniform [0, 1) values (mulberry32). */
function uniforms(size: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: size }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

/**
 * With IS_TEST set (the shared vitest setup sets it) tfjs checks each op for leaked backend data. Fused
 * layers ops with a linear activation run as custom gradients that save clones of their inputs, and wasm's
 * Identity kernel copies (cpu's shares), so the check reports saved tensors as a leak although they are
 * freed after backprop. Training is therefore run with the check off; leaks are asserted explicitly.
 */
async function withoutOpLeakCheck<T>(run: () => Promise<T>): Promise<T> {
  const previous = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
  try {
    return await run();
  } finally {
    tf.env().set('IS_TEST', previous);
  }
}

/** Runs Adam steps and returns the loss of every step; asserts the step loop holds no tensors. */
async function train(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, steps: number, learningRate: number): Promise<number[]> {
  const optimizer = tf.train.adam(learningRate);
  const losses: number[] = [];
  // One step first so the optimiser's slot variables exist before the tensor count is taken.
  const step = (): tf.Scalar =>
    tf.tidy(() => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true) as tf.Scalar);
  const first = step();
  losses.push((await first.data())[0] as number);
  first.dispose();
  const tensors = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) {
    const loss = step();
    losses.push((await loss.data())[0] as number);
    loss.dispose();
  }
  expect(tf.memory().numTensors).toBe(tensors);
  optimizer.dispose();
  return losses;
}

beforeAll(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
});

afterAll(() => {
  tf.disposeVariables();
});

describe('training on wasm with the added kernels', () => {
  it('a conv2d + maxPool + dense net learns which half of the image holds a blob', async () => {
    // 32 images 10x10: class 0 has a bright 3x3 blob on the left half, class 1 on the right; noise elsewhere.
    const n = 32;
    const noise = uniforms(n * 100, 1);
    const place = uniforms(n * 2, 2);
    const pixels = noise.map((v) => 0.3 * v);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      labels.push(label);
      const row = 1 + Math.floor((place[2 * i] as number) * 6);
      const col = (label === 0 ? 0 : 5) + Math.floor((place[2 * i + 1] as number) * 3);
      for (let r = row; r < row + 3; r++) for (let c = col; c < col + 3; c++) pixels[i * 100 + r * 10 + c] = 1;
    }
    await withoutOpLeakCheck(async () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
        ],
      });
      const x = tf.tensor4d(pixels, [n, 10, 10, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
      const losses = await train(model, x, y, 25, 0.02);
      expect(losses.every(Number.isFinite)).toBe(true);
      const firstLoss = losses[0] as number;
      const lastLoss = losses[losses.length - 1] as number;
      expect(firstLoss).toBeGreaterThan(0.5); // starts near ln 2
      expect(lastLoss).toBeLessThan(0.5 * firstLoss);
      const accuracy = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1).equal(tf.tensor1d(labels, 'int32')).mean().dataSync()[0] as number);
      expect(accuracy).toBeGreaterThanOrEqual(0.9);
      tf.dispose([x, y]);
      model.dispose();
    });
  });

  it('a depthwise-separable net and an embedding model train (depthwise and gather gradients)', async () => {
    await withoutOpLeakCheck(async () => {
      const n = 16;
      const pixels = uniforms(n * 8 * 8 * 2, 4);
      const labels = Array.from({ length: n }, (_, i) => i % 2);
      // Class 1 images are brighter in channel 0, so a depthwise filter alone can separate them.
      labels.forEach((label, i) => {
        if (label === 1) for (let p = 0; p < 64; p++) pixels[i * 128 + 2 * p] = (pixels[i * 128 + 2 * p] as number) + 0.5;
      });
      const separable = tf.sequential({
        layers: [
          tf.layers.depthwiseConv2d({
            inputShape: [8, 8, 2], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu',
            depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }),
          }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
        ],
      });
      const x = tf.tensor4d(pixels, [n, 8, 8, 2]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
      const dwLosses = await train(separable, x, y, 20, 0.05);
      expect(dwLosses[dwLosses.length - 1] as number).toBeLessThan(0.8 * (dwLosses[0] as number));

      // Sequences of token ids; the label is whether token 1 occurs. Only an embedding can learn it.
      const tokens = uniforms(n * 5, 5).map((v) => 2 + Math.floor(v * 8));
      const seqLabels = Array.from({ length: n }, (_, i) => i % 2);
      seqLabels.forEach((label, i) => {
        if (label === 1) tokens[i * 5 + (i % 5)] = 1;
      });
      const embedder = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 8 }) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
        ],
      });
      const ids = tf.tensor2d(tokens, [n, 5], 'int32');
      const seqY = tf.oneHot(tf.tensor1d(seqLabels, 'int32'), 2);
      const embLosses = await train(embedder, ids, seqY, 20, 0.05);
      expect(embLosses[embLosses.length - 1] as number).toBeLessThan(0.5 * (embLosses[0] as number));
      tf.dispose([x, y, ids, seqY]);
      separable.dispose();
      embedder.dispose();
    });
  });
});
