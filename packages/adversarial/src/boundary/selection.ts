import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from '@distillery/core';

/**
 * How the target class of each boundary sample is chosen, among the classes other than the teacher's
 * top-1: 'sampled' draws it with probability proportional to the teacher's softmax over those classes
 * (Heo et al.'s code); 'runner-up' always takes the teacher's second class.
 */
export type TargetClassRule = 'sampled' | 'runner-up';
export const TARGET_CLASS_RULES: readonly TargetClassRule[] = ['sampled', 'runner-up'];

export interface BaseSelection {
  /** int32 [count]: positions in the batch of the samples to attack */
  readonly indices: tf.Tensor1D;
  /** float32 [count]: 1 where the teacher classifies the sample correctly (a valid base sample), else 0 */
  readonly weights: tf.Tensor1D;
}

/**
 * Picks `count` base samples from a batch without reading data back to JS. Valid base samples are
 * those the teacher classifies correctly. When student logits are given, valid samples are ranked by
 * Heo et al.'s distillation score sum_{c != y} (p_T,c - p_S,c)^2 (where the student is furthest from
 * the teacher off the label), highest first; invalid samples come last with weight 0, so a batch with
 * fewer valid samples than `count` still yields a fixed-size selection. The caller owns the result.
 */
export function selectBaseSamples(teacherLogits: tf.Tensor2D, labels: tf.Tensor1D, studentLogits: tf.Tensor2D | undefined, count: number): BaseSelection {
  const result = tf.tidy(() => {
    const correct = tf.cast(tf.equal(tf.argMax(teacherLogits, 1), labels), 'float32') as tf.Tensor1D;
    let score: tf.Tensor1D = tf.zerosLike(correct);
    if (studentLogits) {
      const diff = tf.square(tf.sub(tf.softmax(teacherLogits), tf.softmax(studentLogits)));
      const onLabel = tf.sum(tf.mul(diff, tf.oneHot(labels, teacherLogits.shape[1])), 1);
      score = tf.sub(tf.sum(diff, 1), onLabel) as tf.Tensor1D;
    }
    // scores are >= 0, so -1 ranks every invalid sample after every valid one
    const ranked = tf.where(tf.greater(correct, 0), score, tf.fill(correct.shape, -1));
    const { indices } = tf.topk(ranked, count, true);
    return { indices: indices as tf.Tensor1D, weights: tf.gather(correct, indices) as tf.Tensor1D };
  });
  return result as BaseSelection;
}

/**
 * The target class of each row of teacher logits [n, classes], never the teacher's top-1 class.
 * 'sampled' uses the Gumbel-max trick with uniforms from `random` (a seeded JS generator, so a step's
 * draw is the same on every backend and after a resume). The caller owns the result (int32 [n]).
 */
export function chooseTargetClasses(teacherLogits: tf.Tensor2D, rule: TargetClassRule, random: SeededRandom): tf.Tensor1D {
  return tf.tidy(() => {
    const [rows, classes] = teacherLogits.shape;
    if (rule === 'runner-up') {
      const { indices } = tf.topk(teacherLogits, 2, true);
      return tf.reshape(tf.slice(indices, [0, 1], [rows, 1]), [rows]) as tf.Tensor1D;
    }
    const uniforms = new Float32Array(rows * classes);
    // clamped away from 0 and 1 so -log(-log u) stays finite
    for (let i = 0; i < uniforms.length; i++) uniforms[i] = Math.min(Math.max(random.uniform(), 1e-7), 1 - 1e-7);
    const gumbel = tf.neg(tf.log(tf.neg(tf.log(tf.tensor2d(uniforms, [rows, classes])))));
    const top = tf.oneHot(tf.argMax(teacherLogits, 1), classes);
    // the top class is pushed far below any other; softmax over the rest is what the draw follows
    const masked = tf.where(tf.greater(top, 0), tf.fill([rows, classes], -1e9), teacherLogits);
    return tf.cast(tf.argMax(tf.add(masked, gumbel), 1), 'int32') as tf.Tensor1D;
  });
}
