import * as tf from '@tensorflow/tfjs';

/**
 * How hard a sample is, in [0, 1], read from the teacher ladder's outputs (small -> large):
 * - 'loss':      1 - p_L(y) = 1 - exp(-CE_L), the largest teacher's loss mapped to [0, 1]
 * - 'entropy':   H(p_L) / log C, the largest teacher's normalised predictive entropy
 * - 'agreement': 1 - (number of ladder teachers whose arg-max is the label) / M
 */
export type DifficultyMeasure = 'loss' | 'entropy' | 'agreement';
export const DIFFICULTY_MEASURES: readonly DifficultyMeasure[] = ['loss', 'entropy', 'agreement'];

/** per-sample difficulty [batch] from the ladder's logits (constants) and the labels */
export function sampleDifficulty(measure: DifficultyMeasure, ladderLogits: readonly tf.Tensor2D[], labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const largest = ladderLogits[ladderLogits.length - 1] as tf.Tensor2D;
    const classes = largest.shape[1];
    if (measure === 'agreement') {
      const correct = ladderLogits.map((z) => tf.cast(tf.equal(tf.argMax(z, 1), labels), 'float32'));
      return tf.sub(1, tf.div(tf.addN(correct), ladderLogits.length)) as tf.Tensor1D;
    }
    const logP = tf.logSoftmax(largest);
    if (measure === 'entropy') {
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), 1));
      return tf.div(entropy, Math.log(classes)) as tf.Tensor1D;
    }
    const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');
    return tf.sub(1, tf.sum(tf.mul(oneHot, tf.exp(logP)), 1)) as tf.Tensor1D;
  });
}

/** How far the curriculum has moved towards the largest teacher: fraction / rampUntil, capped at 1. */
export function curriculumShift(fraction: number, rampUntil: number): number {
  return Math.min(1, Math.max(0, fraction) / rampUntil);
}

/**
 * The ladder level (0 = smallest teacher) for each sample:
 *   level = min(M - 1, floor(M * min(1, d + s)))
 * with difficulty d in [0, 1] and curriculum shift s in [0, 1]. At the start (s = 0) the ladder is split
 * into M equal difficulty bands (easy -> small teacher, hard -> large teacher); as s grows every band
 * moves up, and from s = 1 on every sample learns from the largest teacher. Monotone in d and in s.
 */
export function selectExperts(difficulty: tf.Tensor1D, shift: number, levels: number): tf.Tensor1D {
  return tf.tidy(() => {
    const position = tf.floor(tf.mul(tf.minimum(tf.add(difficulty, shift), 1), levels));
    return tf.cast(tf.minimum(position, levels - 1), 'int32') as tf.Tensor1D;
  });
}
