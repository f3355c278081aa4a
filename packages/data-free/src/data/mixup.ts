import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from '@distillery/core';

/**
 * Beta(alpha, alpha) from a seeded uniform/normal stream: uniform itself for alpha = 1, otherwise
 * X / (X + Y) with X, Y ~ Gamma(alpha) (Marsaglia-Tsang; alpha < 1 through Gamma(alpha + 1) * U^(1/alpha)).
 */
export function sampleBeta(random: SeededRandom, alpha: number): number {
  if (alpha === 1) return random.uniform();
  const x = sampleGamma(random, alpha);
  const y = sampleGamma(random, alpha);
  return x + y > 0 ? x / (x + y) : 0.5;
}

function sampleGamma(random: SeededRandom, shape: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1) * Math.pow(1 - random.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const n = random.normal();
    const v = Math.pow(1 + c * n, 3);
    if (v <= 0) continue;
    const u = 1 - random.uniform();
    if (Math.log(u) < 0.5 * n * n + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface MixupDraw {
  /** lambda x_first + (1 - lambda) x_second, [count, ...sample shape] */
  readonly images: tf.Tensor;
  readonly first: readonly number[];
  readonly second: readonly number[];
  readonly lambdas: readonly number[];
}

/**
 * `count` mixup images from a pool of real images [n, ...]: each pairs two pool images drawn uniformly
 * (with replacement, so a pair may be one image unmixed) with lambda ~ Beta(alpha, alpha) (Zhang et al. 2018;
 * Nguyen et al. 2022 expand a few-shot set this way before querying the black-box teacher).
 */
export function mixup(pool: tf.Tensor, count: number, random: SeededRandom, alpha: number): MixupDraw {
  const n = pool.shape[0] as number;
  const first: number[] = [];
  const second: number[] = [];
  const lambdas: number[] = [];
  for (let i = 0; i < count; i++) {
    first.push(random.int(n));
    second.push(random.int(n));
    lambdas.push(sampleBeta(random, alpha));
  }
  const images = tf.tidy(() => {
    const broadcast = [count, ...pool.shape.slice(1).map(() => 1)];
    const lambda = tf.tensor(lambdas, broadcast);
    const a = tf.gather(pool, tf.tensor1d(first, 'int32'));
    const b = tf.gather(pool, tf.tensor1d(second, 'int32'));
    return tf.add(tf.mul(lambda, a), tf.mul(tf.sub(1, lambda), b));
  });
  return { images, first, second, lambdas };
}
