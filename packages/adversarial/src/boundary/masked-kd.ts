import * as tf from '@tensorflow/tfjs';
import { softenedLogProbs, stopGradient } from '@distillery/losses';

/**
 * sum_i w_i KL(p_T,i || p_S,i) / max(sum_i w_i, 1) with p = softmax(z / T): KD restricted to the
 * boundary samples whose weight is 1 (valid base samples). No T^2 factor: Heo et al.'s code uses the
 * soft cross-entropy at T = 3 without it (KL has the same gradient). 0 when no sample is valid.
 */
export function maskedKd(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, weights: tf.Tensor1D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const logS = softenedLogProbs(studentLogits, temperature);
    const logT = softenedLogProbs(stopGradient(teacherLogits), temperature);
    const perSample = tf.sum(tf.mul(tf.exp(logT), tf.sub(logT, logS)), 1);
    return tf.div(tf.sum(tf.mul(perSample, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}
