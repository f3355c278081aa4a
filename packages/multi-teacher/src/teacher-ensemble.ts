import * as tf from '@tensorflow/tfjs';
import type { Classifier, Teacher } from '@distillery/core';

export type EnsemblePool = 'arithmetic' | 'geometric';

/** Probabilities below this are clipped before the log, as black-box teachers do (log 1e-8 = -18.4). */
const MIN_PROBABILITY = 1e-8;

/**
 * The teachers as one classifier, for agreement metrics. 'arithmetic': logits = log(sum_k w_k softmax(z_k))
 * (the mixture 'mean-kl' / 'weights' / 'ca-mkd' distil towards on average); 'geometric':
 * logits = sum_k w_k z_k (softmax of it is the normalised geometric mean, the 'mean-logits' target at T = 1).
 */
export function teacherEnsemble(teachers: readonly Teacher[], pool: EnsemblePool, weights?: readonly number[]): Classifier {
  const first = teachers[0] as Teacher;
  const w = weights ?? teachers.map(() => 1 / teachers.length);
  return {
    name: `ensemble(${teachers.map((t) => t.name).join(', ')})`,
    numClasses: first.numClasses,
    inputShape: first.inputShape,
    predictLogits: (x) =>
      tf.tidy(() => {
        if (pool === 'geometric') return tf.addN(teachers.map((t, i) => tf.mul(t.predictLogits(x), w[i] as number))) as tf.Tensor2D;
        const mixture = tf.addN(teachers.map((t, i) => tf.mul(tf.softmax(t.predictLogits(x)), w[i] as number)));
        return tf.log(tf.clipByValue(mixture, MIN_PROBABILITY, 1)) as tf.Tensor2D;
      }),
  };
}
