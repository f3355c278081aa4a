import * as tf from '@tensorflow/tfjs';

export type Reduction = 'batchmean' | 'mean' | 'sum';
export const REDUCTIONS: readonly Reduction[] = ['batchmean', 'mean', 'sum'];

/**
 * p (log p - log q) element-wise, 0 where p is exactly 0 (the limit of p log p) even if log q is
 * -Infinity. A custom gradient, because the mask needs `greater`, which has no gradient: recorded on
 * the tape it breaks backprop whenever log p depends on a taped tensor (reverse KL, or a peer's
 * logits in online distillation). Ops inside a customGrad forward pass are not taped.
 *   d/d log p = p (log p - log q + 1),  d/d log q = -p   (both 0 where p = 0)
 */
const pointwiseKl = tf.customGrad((logPInput: tf.Tensor | tf.GradSaveFunc, logQInput: tf.Tensor | tf.GradSaveFunc, saveInput: tf.Tensor | tf.GradSaveFunc) => {
  const logP = logPInput as tf.Tensor;
  const logQ = logQInput as tf.Tensor;
  const save = saveInput as tf.GradSaveFunc;
  const p = tf.exp(logP);
  const difference = tf.where(tf.greater(p, 0), tf.sub(logP, logQ), tf.zerosLike(logP));
  save([p, difference]);
  return {
    value: tf.mul(p, difference),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedP, savedDifference] = saved as [tf.Tensor, tf.Tensor];
      const dyP = tf.mul(dy, savedP);
      return [tf.mul(dyP, tf.add(savedDifference, 1)), tf.neg(dyP)];
    },
  };
});

/**
 * KL(p || q) = sum_c p_c (log p_c - log q_c) from log-probabilities [batch, classes], reduced:
 * 'batchmean' sums over classes and averages over the batch (PyTorch KLDivLoss(reduction='batchmean'),
 * the true KL per sample); 'mean' averages over batch x classes (PyTorch's old element-wise default,
 * smaller by a factor of `classes`); 'sum' sums everything.
 */
export function klDivergence(logP: tf.Tensor2D, logQ: tf.Tensor2D, reduction: Reduction): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const total: tf.Scalar = tf.sum(pointwiseKl(logP, logQ));
    const [batch, classes] = logP.shape;
    switch (reduction) {
      case 'batchmean':
        return tf.div(total, batch);
      case 'mean':
        return tf.div(total, batch * classes);
      case 'sum':
        return total;
    }
  });
}
