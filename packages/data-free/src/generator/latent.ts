import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '@distillery/core';
import { deriveSeed } from '@distillery/models';

/**
 * Standard-normal latent codes [count, latentDim] for one draw of one step: a pure function of
 * (seed, step, draw) through core's mulberry32, so a resumed run (or a restored copy in a test) draws
 * exactly the same codes, on every backend.
 */
export function latentCodes(count: number, latentDim: number, seed: number, step: number, draw = 0): tf.Tensor2D {
  const random = mulberry32(deriveSeed(seed, `latent/${step}/${draw}`));
  const values = new Float32Array(count * latentDim);
  for (let i = 0; i < values.length; i++) values[i] = random.normal();
  return tf.tensor2d(values, [count, latentDim]);
}
