import * as tf from '@tensorflow/tfjs';
import type { Aggregation } from './options.js';
import { confidenceWeights, rowKl, teacherCrossEntropies } from './divergences.js';

export interface ResponseTermInputs {
  readonly aggregation: Aggregation;
  /** constants, one [batch, classes] tensor per teacher taking part this step ('random': just the drawn one) */
  readonly teacherLogits: readonly tf.Tensor2D[];
  readonly studentLogits: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly temperature: number;
  /** 'weights' only, aligned with teacherLogits */
  readonly weights?: readonly number[];
}

/**
 * The multi-teacher response term, T^2-scaled and averaged over the batch like Hinton's KD.
 *  mean-logits: T^2 KL(softmax(mean_k z_k / T) || p_s)
 *  mean-kl:     T^2 mean_k KL(p_k || p_s)
 *  weights:     T^2 sum_k w_k KL(p_k || p_s)
 *  random:      T^2 KL(p_k || p_s) for the single teacher passed
 *  ca-mkd:      T^2 sum_k w_k(x) KL(p_k || p_s), w from the teachers' cross-entropy at T = 1
 * where p = softmax(z / T). Teacher logits are constants; gradients reach the student logits only.
 */
export function responseTerm(inputs: ResponseTermInputs): tf.Scalar {
  const { aggregation, teacherLogits, studentLogits, labels, temperature } = inputs;
  return tf.tidy(() => {
    const logS = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    const scale = temperature * temperature;
    if (aggregation === 'mean-logits') {
      const meanLogits = tf.div(tf.addN(teacherLogits.map((z) => z)), teacherLogits.length) as tf.Tensor2D;
      const logT = tf.logSoftmax(tf.div(meanLogits, temperature)) as tf.Tensor2D;
      return tf.mul(tf.mean(rowKl(logT, logS)), scale) as tf.Scalar;
    }
    // [batch, teachers]: one KL per sample and teacher
    const divergences = tf.stack(
      teacherLogits.map((z) => rowKl(tf.logSoftmax(tf.div(z, temperature)) as tf.Tensor2D, logS)),
      1,
    ) as tf.Tensor2D;
    let perSample: tf.Tensor1D;
    if (aggregation === 'weights') {
      perSample = tf.sum(tf.mul(divergences, tf.tensor1d(inputs.weights as number[])), 1) as tf.Tensor1D;
    } else if (aggregation === 'ca-mkd') {
      const weights = confidenceWeights(teacherCrossEntropies(teacherLogits, labels));
      perSample = tf.sum(tf.mul(divergences, weights), 1) as tf.Tensor1D;
    } else {
      perSample = tf.mean(divergences, 1) as tf.Tensor1D;
    }
    return tf.mul(tf.mean(perSample), scale) as tf.Scalar;
  });
}
