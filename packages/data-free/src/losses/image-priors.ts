import * as tf from '@tensorflow/tfjs';

/**
 * DeepInversion's image priors (Yin et al. 2020, `get_image_prior_losses` in the official code), for
 * channels-last images [batch, height, width, channels]. The four differences are the horizontal,
 * vertical and two diagonal neighbours:
 *   tvL2 = sum over the four of ||d||_2 (Frobenius norm over the whole batch)
 *   tvL1 = sum over the four of mean |d|
 *   l2   = mean over the batch of each image's ||x||_2
 */
function neighbourDifferences(x: tf.Tensor4D): tf.Tensor4D[] {
  const [b, h, w, c] = x.shape;
  const crop = (top: number, left: number, height: number, width: number) => tf.slice(x, [0, top, left, 0], [b, height, width, c]);
  return [
    tf.sub(crop(0, 0, h, w - 1), crop(0, 1, h, w - 1)),
    tf.sub(crop(0, 0, h - 1, w), crop(1, 0, h - 1, w)),
    tf.sub(crop(1, 0, h - 1, w - 1), crop(0, 1, h - 1, w - 1)),
    tf.sub(crop(0, 0, h - 1, w - 1), crop(1, 1, h - 1, w - 1)),
  ];
}

/** sqrt(sum(d^2) + 1e-12): the norm with a finite gradient at exactly 0 (shifts the value by < 1e-6) */
export function safeNorm(d: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(d)), 1e-12)) as tf.Scalar);
}

export function totalVariationL2(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.addN(neighbourDifferences(x).map(safeNorm)) as tf.Scalar);
}

export function totalVariationL1(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.addN(neighbourDifferences(x).map((d) => tf.mean(tf.abs(d)))) as tf.Scalar);
}

export function imageL2(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const flat = tf.reshape(x, [x.shape[0] as number, -1]);
    return tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(flat), 1), 1e-12))) as tf.Scalar;
  });
}
