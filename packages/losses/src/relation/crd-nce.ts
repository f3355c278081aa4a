import * as tf from '@tensorflow/tfjs';

/** RepDistiller's eps in ContrastLoss */
const EPS = 1e-7;

/**
 * CRD's NCE objective (Tian et al. 2020, eq. 18; RepDistiller's ContrastLoss) for scores P [B, K + 1]
 * whose column 0 is the positive pair, with a uniform noise distribution P_n = 1 / N over the dataset:
 *   -(1 / B) sum_b [ log(P_pos / (P_pos + K P_n + eps)) + sum_k log(K P_n / (P_neg,k + K P_n + eps)) ].
 */
export function contrastNceLoss(scores: tf.Tensor2D, datasetSize: number): tf.Scalar {
  return tf.tidy(() => {
    const [batch, columns] = scores.shape;
    const negatives = columns - 1;
    const noise = negatives / datasetSize;
    const positive = tf.slice(scores, [0, 0], [batch, 1]);
    const logPositive = tf.log(tf.div(positive, tf.add(positive, noise + EPS)));
    const negative = tf.slice(scores, [0, 1], [batch, negatives]);
    const logNegative = tf.log(tf.div(noise, tf.add(negative, noise + EPS)));
    return tf.div(tf.neg(tf.add(tf.sum(logPositive), tf.sum(logNegative))), batch) as tf.Scalar;
  });
}
