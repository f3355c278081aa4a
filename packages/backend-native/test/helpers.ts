import * as tf from '@tensorflow/tfjs';

/** Deterministic uniform values in [-1, 1) (LCG), so failures reproduce. */
export function randomValues(size: number, seed: number): Float32Array {
  const values = new Float32Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/**
 * Runs `compute` with `backend` active and returns every output's data. Inputs are built inside
 * `compute`, so each backend computes from identical values without moving tensors between them.
 */
export async function runOn(backend: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const data = outputs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outputs);
  return data;
}

/** max |actual - expected| relative to the largest expected magnitude (at least 1); NaN matches only NaN. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxDiff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? 0;
    const a = actual[i] ?? Number.NaN;
    if (Number.isNaN(e) && Number.isNaN(a)) continue; // NaN must propagate exactly where the reference has it
    const diff = Math.abs(a - e);
    if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
    maxDiff = Math.max(maxDiff, diff);
    scale = Math.max(scale, Math.abs(e));
  }
  return maxDiff / scale;
}

/** Largest relativeError over paired outputs; Infinity when the output counts differ. */
export function worstError(actual: Float32Array[], expected: Float32Array[]): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  return Math.max(...actual.map((a, i) => relativeError(a, expected[i] ?? new Float32Array())));
}
