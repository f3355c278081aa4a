import * as tf from '@tensorflow/tfjs';

/** diff[i, j] = e[j] - e[i] for rows of e [B, D] -> [B, B, D] (RKD's `e.unsqueeze(0) - e.unsqueeze(1)`). */
export function pairwiseDifferences(e: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => tf.sub(tf.expandDims(e, 0), tf.expandDims(e, 1)) as tf.Tensor3D);
}

/** 1 off the diagonal, 0 on it, [B, B]. */
export function offDiagonal(batch: number): tf.Tensor2D {
  return tf.tidy(() => tf.sub(tf.ones([batch, batch]), tf.eye(batch)) as tf.Tensor2D);
}

/**
 * Euclidean distances between rows, with RKD's pdist conventions: the squared distance is clamped at
 * 1e-12 before the square root and the diagonal is set to 0. Computed from explicit differences rather
 * than |a|^2 + |b|^2 - 2ab, which cancels badly in float32; the clamp and the diagonal mask keep the
 * gradient at d = 0 finite (zero).
 */
export function pairwiseDistances(e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const squared = tf.sum(tf.square(pairwiseDifferences(e)), -1);
    return tf.mul(tf.sqrt(tf.maximum(squared, 1e-12)), offDiagonal(e.shape[0])) as tf.Tensor2D;
  });
}

/**
 * angles[i, j, k] = <(e_j - e_i) / |e_j - e_i|, (e_k - e_i) / |e_k - e_i|>: the cosine of the angle at
 * vertex i, [B, B, B] (RKD's `bmm(norm_sd, norm_sd^T)`). Differences are normalised like F.normalize
 * (divide by max(norm, 1e-12)); the zero difference e_i - e_i is divided by 1 instead, which leaves its
 * value 0 and keeps its gradient finite, so the +/- contributions of e_i cancel to rounding.
 */
export function tripletAngles(e: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const batch = e.shape[0];
    const diff = pairwiseDifferences(e);
    const squared = tf.sum(tf.square(diff), -1, true);
    const norm = tf.sqrt(tf.add(tf.maximum(squared, 1e-24), tf.expandDims(tf.eye(batch), -1)));
    const unit = tf.div(diff, norm) as tf.Tensor3D;
    return tf.matMul(unit, unit, false, true);
  });
}

/**
 * Smooth L1 (Huber with delta 1), elementwise: 0.5 x^2 for |x| < 1, |x| - 0.5 otherwise - PyTorch's
 * F.smooth_l1_loss with its default beta = 1, before the mean.
 */
export function smoothL1(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const magnitude = tf.abs(x);
    const quadratic = tf.minimum(magnitude, 1);
    return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(magnitude, quadratic));
  });
}
