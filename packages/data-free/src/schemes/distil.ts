import * as tf from '@tensorflow/tfjs';
import { gradientStep, type LossTerms, type Student, type TrainingProgress } from '@distillery/core';
import type { KdLoss } from '@distillery/losses';

/**
 * One student update by KD on synthetic inputs: the images and the teacher's logits are constants here
 * (computed before, outside this tape), so only the student's variables receive gradients. Returns the KD
 * value before the update, a scalar the caller owns. The pseudo-labels and indices handed to the loss are
 * placeholders (argmax of the teacher, zeros): KD reads neither.
 */
export function distilStep(
  optimizer: tf.Optimizer,
  student: Student,
  kd: KdLoss,
  images: tf.Tensor,
  teacherLogits: tf.Tensor2D,
  numClasses: number,
  progress: TrainingProgress,
): tf.Scalar {
  const batch = images.shape[0] as number;
  const labels = tf.tidy(() => tf.argMax(teacherLogits, 1).asType('int32') as tf.Tensor1D);
  const indices = tf.zeros([batch], 'int32') as tf.Tensor1D;
  try {
    const terms: LossTerms = gradientStep(optimizer, student.trainableVariables(), () => {
      const outputs = student.forward(images, { training: true });
      const { kd: value } = kd.compute({ student: outputs, teacher: { logits: teacherLogits, features: {} }, labels, indices, numClasses, progress }) as { kd: tf.Scalar };
      return { total: value, terms: {} };
    });
    student.applyConstraints?.();
    return terms['total'] as tf.Scalar;
  } finally {
    tf.dispose([labels, indices]);
  }
}
