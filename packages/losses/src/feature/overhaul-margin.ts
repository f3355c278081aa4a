import * as tf from '@tensorflow/tfjs';

/**
 * The overhaul margin (Heo et al. 2019, eq. 2): for a channel whose pre-ReLU response is modelled as
 * N(m, s^2), the margin is the expected value of its negative responses,
 *   margin = E[x | x < 0] = m - s * phi(m / s) / Phi(-m / s)        if Phi(-m / s) > 0.001,
 *   margin = -3 s                                                     otherwise,
 * exactly the official get_margin_from_BN (clovaai/overhaul-distillation), which reads m and s from
 * the teacher's batch-norm beta and |gamma|. Here m and s are measured on the teacher's features.
 */

/**
 * erfc with small *relative* error (< 1.2e-7, Numerical Recipes' erfcc Chebyshev fit). tf.erf is
 * accurate in absolute terms only, and 1 - erf(x) loses most digits in the tail where the margin
 * formula divides by Phi(-m / s) ~ 1e-3.
 */
export function erfc(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.abs(x);
    const t = tf.div(1, tf.add(1, tf.mul(0.5, z)));
    const coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
    let poly: tf.Tensor = tf.scalar(coefficients[coefficients.length - 1] as number);
    for (let i = coefficients.length - 2; i >= 0; i--) poly = tf.add(coefficients[i] as number, tf.mul(t, poly));
    const tail = tf.mul(t, tf.exp(tf.add(tf.neg(tf.square(z)), poly)));
    return tf.where(tf.greaterEqual(x, 0), tail, tf.sub(2, tail));
  });
}

/** Per-channel margins from per-channel means and (population) variances. */
export function marginFromMoments(mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // a constant channel (s = 0) would divide by zero; 1e-6 keeps its margin finite (~ m or ~ 0)
    const s = tf.sqrt(tf.maximum(variance, 1e-12));
    const z = tf.div(mean, s);
    const lowerTail = tf.mul(0.5, erfc(tf.div(z, Math.SQRT2))); // Phi(-z)
    const density = tf.div(tf.exp(tf.mul(-0.5, tf.square(z))), Math.sqrt(2 * Math.PI));
    const expected = tf.sub(mean, tf.div(tf.mul(s, density), tf.maximum(lowerTail, 1e-3)));
    return tf.where(tf.greater(lowerTail, 1e-3), expected, tf.mul(-3, s));
  });
}

/** Per-channel mean and population variance over every axis but the last (batch and positions). */
export function channelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
