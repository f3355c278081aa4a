import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from './parameters.js';

/** One GRU direction, PyTorch's layout: gates [reset | update | new] along the last axis. */
export interface GruWeights {
  /** [E, 3H] */
  readonly input: tf.Tensor;
  /** [H, 3H] */
  readonly recurrent: tf.Tensor;
  /** [3H] each: PyTorch keeps separate input and recurrent biases */
  readonly inputBias: tf.Tensor;
  readonly recurrentBias: tf.Tensor;
}

export function createGruWeights(parameters: ParameterStore, key: string, inputSize: number, hiddenSize: number): GruWeights {
  // PyTorch's default: every GRU weight and bias uniform in +-1/sqrt(H)
  const init = { kind: 'uniform', limit: 1 / Math.sqrt(hiddenSize) } as const;
  return {
    input: parameters.weight(`${key}/input/kernel`, [inputSize, 3 * hiddenSize], init),
    recurrent: parameters.weight(`${key}/recurrent/kernel`, [hiddenSize, 3 * hiddenSize], init),
    inputBias: parameters.weight(`${key}/input/bias`, [3 * hiddenSize], init),
    recurrentBias: parameters.weight(`${key}/recurrent/bias`, [3 * hiddenSize], init),
  };
}

export function gruParamCount(inputSize: number, hiddenSize: number): number {
  return 3 * hiddenSize * (inputSize + hiddenSize) + 6 * hiddenSize;
}

export interface GruRun {
  /** state after the last real token (the backward direction: after position 0), [B, H] */
  readonly final: tf.Tensor;
  /** mean of the states at real positions, [B, H] (0 for an all-pad row) */
  readonly mean: tf.Tensor;
}

/**
 * Runs a GRU over x [B, L, E] with mask [B, L] (Cho et al. 2014, PyTorch's equations):
 * r = s(x Wr + br + h Ur + cr), z = s(x Wz + bz + h Uz + cz), n = tanh(x Wn + bn + r (h Un + cn)),
 * h' = (1 - z) n + z h. At a padded step the state is carried unchanged (h*(1-m) + h'*m is exact for
 * m in {0, 1}), so appended padding changes nothing and the backward direction starts at the last real
 * token. The input projection of all steps is one matmul.
 */
export function runGru(x: tf.Tensor, mask: tf.Tensor, weights: GruWeights, reverse: boolean): GruRun {
  const [batch, length, inputSize] = x.shape as [number, number, number];
  const hiddenSize = (weights.recurrent.shape[0] as number);
  const projected = tf.reshape(
    tf.add(tf.matMul(tf.reshape(x, [batch * length, inputSize]) as tf.Tensor2D, weights.input as tf.Tensor2D), weights.inputBias),
    [batch, length, 3 * hiddenSize],
  );
  const inputs = tf.unstack(projected, 1);
  const masks = tf.unstack(tf.expandDims(mask, 2), 1);
  let h: tf.Tensor = tf.zeros([batch, hiddenSize]);
  let sum: tf.Tensor = tf.zeros([batch, hiddenSize]);
  for (let step = 0; step < length; step++) {
    const t = reverse ? length - 1 - step : step;
    const gx = inputs[t] as tf.Tensor;
    const m = masks[t] as tf.Tensor;
    const gh = tf.add(tf.matMul(h as tf.Tensor2D, weights.recurrent as tf.Tensor2D), weights.recurrentBias);
    const [xr, xz, xn] = tf.split(gx, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [hr, hz, hn] = tf.split(gh, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    const next = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    h = tf.add(tf.mul(h, tf.sub(1, m)), tf.mul(next, m));
    sum = tf.add(sum, tf.mul(h, m));
  }
  const count = tf.maximum(tf.sum(mask, 1, true), 1);
  return { final: h, mean: tf.div(sum, count) };
}
