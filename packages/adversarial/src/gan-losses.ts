import * as tf from '@tensorflow/tfjs';

/**
 * The adversarial objectives, on raw discriminator scores d (logits, not probabilities). "Real" is the
 * teacher's side, "fake" the student's; D(x) = sigmoid(d) is the probability of "teacher".
 *
 * - 'minimax' (Goodfellow et al. 2014, the saturating original):
 *     D: -mean log D(real) - mean log(1 - D(fake)) = mean softplus(-d_real) + mean softplus(d_fake)
 *     S: mean log(1 - D(fake)) = -mean softplus(d_fake)            (minimised: the value is <= 0)
 * - 'non-saturating' (the same paper's practical variant): D as above,
 *     S: -mean log D(fake) = mean softplus(-d_fake)
 * - 'least-squares' (Mao et al. 2017, targets a = 0, b = c = 1):
 *     D: 1/2 mean (d_real - 1)^2 + 1/2 mean d_fake^2
 *     S: 1/2 mean (d_fake - 1)^2
 *
 * softplus keeps the logs finite for any finite score. With a confident discriminator (d_fake << 0)
 * the minimax student gradient vanishes (sigmoid(d_fake) -> 0) while the non-saturating one tends to -1
 * per sample: why the non-saturating form is the default.
 */
export type GanLoss = 'minimax' | 'non-saturating' | 'least-squares';
export const GAN_LOSSES: readonly GanLoss[] = ['minimax', 'non-saturating', 'least-squares'];

/** The discriminator's objective on its scores for teacher (real) and student (fake) inputs, both [batch]. */
export function discriminatorLoss(kind: GanLoss, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'least-squares') {
      return tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(real, 1))), tf.mean(tf.square(fake)))) as tf.Scalar;
    }
    return tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake))) as tf.Scalar;
  });
}

/** The student's (generator's) adversarial objective on the discriminator's scores for its outputs, [batch]. */
export function generatorLoss(kind: GanLoss, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'minimax':
        return tf.neg(tf.mean(tf.softplus(fake))) as tf.Scalar;
      case 'non-saturating':
        return tf.mean(tf.softplus(tf.neg(fake))) as tf.Scalar;
      case 'least-squares':
        return tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1)))) as tf.Scalar;
    }
  });
}

/**
 * Share of correct decisions: a teacher score above the threshold, a student score below it. The
 * threshold is 0 for the logistic losses (D = 1/2) and 1/2 for least squares (halfway between the
 * targets 0 and 1). A diagnostic, not differentiated.
 */
export function discriminatorAccuracy(kind: GanLoss, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const threshold = kind === 'least-squares' ? 0.5 : 0;
    const right = tf.add(tf.sum(tf.cast(tf.greater(real, threshold), 'float32')), tf.sum(tf.cast(tf.lessEqual(fake, threshold), 'float32')));
    return tf.div(right, real.size + fake.size) as tf.Scalar;
  });
}
