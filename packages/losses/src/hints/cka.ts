import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';

/**
 * Linear centered kernel alignment (Kornblith et al., ICML 2019), in float64 on the CPU. For one batch of
 * n samples and two layers' activations X [n, p], Y [n, q] (flattened per sample):
 *   K = X X^T, L = Y Y^T, Kc = H K H, Lc = H L H with H = I - 11^T / n,
 *   CKA(X, Y) = <Kc, Lc>_F / (||Kc||_F ||Lc||_F)  in [0, 1].
 * It is invariant to orthogonal transforms and isotropic scaling of either layer, and compares layers of
 * any widths. The biased HSIC estimator's 1 / (n - 1)^2 factors cancel in the ratio.
 */

/** Centered Gram matrix H (X X^T) H of rows `values` [n, d], float64, row-major [n * n]. */
export function centeredGram(values: ArrayLike<number>, n: number, d: number): Float64Array {
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += (values[i * d + k] as number) * (values[j * d + k] as number);
      gram[i * n + j] = dot;
      gram[j * n + i] = dot;
    }
  }
  const rowMeans = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += gram[i * n + j] as number;
    rowMeans[i] = sum / n;
    total += sum;
  }
  const grandMean = total / (n * n);
  // H K H = K - row means - column means + grand mean (K is symmetric, so column means = row means)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) gram[i * n + j] = (gram[i * n + j] as number) - (rowMeans[i] as number) - (rowMeans[j] as number) + grandMean;
  }
  return gram;
}

/** CKA from two centered Gram matrices; 0 when either layer is constant over the batch. */
export function ckaFromCenteredGrams(kc: Float64Array, lc: Float64Array): number {
  let cross = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < kc.length; i++) {
    const a = kc[i] as number;
    const b = lc[i] as number;
    cross += a * b;
    kk += a * a;
    ll += b * b;
  }
  const denominator = Math.sqrt(kk * ll);
  return denominator > 0 ? cross / denominator : 0;
}

/** One layer's batch as float64-ready rows; reads the tensor once (an analysis step, not a training loop). */
export function layerRows(features: tf.Tensor, what: string): { values: Float32Array; n: number; d: number } {
  const n = features.shape[0];
  if (n === undefined || n < 2 || features.rank < 2) {
    throw new ConfigError(`${what}: expected a batch of at least 2 samples, got shape [${features.shape.join(', ')}]`, 'pass [samples, ...] activations of one batch');
  }
  return { values: features.dataSync() as Float32Array, n, d: features.size / n };
}

export function linearCka(x: tf.Tensor, y: tf.Tensor): number {
  const a = layerRows(x, 'linearCka');
  const b = layerRows(y, 'linearCka');
  if (a.n !== b.n) throw new ConfigError(`linearCka: ${a.n} vs ${b.n} samples`, 'compute both layers on the same batch');
  return ckaFromCenteredGrams(centeredGram(a.values, a.n, a.d), centeredGram(b.values, b.n, b.d));
}

/** CKA between every pair of layers, in the given order; symmetric with a unit diagonal (for non-constant layers). */
export function ckaMatrix(layers: ReadonlyArray<readonly [string, tf.Tensor]>): number[][] {
  const grams = layers.map(([name, tensor]) => {
    const rows = layerRows(tensor, `layer "${name}"`);
    return { n: rows.n, gram: centeredGram(rows.values, rows.n, rows.d) };
  });
  const n = grams[0]?.n;
  grams.forEach((g, i) => {
    if (g.n !== n) throw new ConfigError(`layer "${layers[i]?.[0]}" has ${g.n} samples but "${layers[0]?.[0]}" has ${n}`, 'compute every layer on the same batch');
  });
  return grams.map((a, i) => grams.map((b, j) => (i === j ? ckaFromCenteredGrams(a.gram, a.gram) : ckaFromCenteredGrams(a.gram, b.gram))));
}
