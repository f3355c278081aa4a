import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError } from '@distillery/core';
import type { StepContext } from '@distillery/core';

/** Student logits, checked against the run's class count (a static shape check, no data read). */
export function studentLogits(context: StepContext, loss: string): tf.Tensor2D {
  const logits = context.student.logits;
  const classes = logits.shape[1];
  if (classes !== context.numClasses) {
    throw new ClassCountMismatchError(`student logits seen by loss "${loss}"`, context.numClasses, classes);
  }
  return logits;
}

/** Teacher logits (log-probabilities for a black-box teacher), matched to the student's shape. */
export function teacherLogits(context: StepContext, loss: string): tf.Tensor2D {
  const teacher = context.teacher;
  if (!teacher) {
    throw new ConfigError(`loss "${loss}" needs teacher outputs but the step has none`, 'use it in a scheme that runs a teacher (e.g. "vanilla-kd")');
  }
  const student = context.student.logits;
  const [tb, tc] = teacher.logits.shape;
  const [sb, sc] = student.shape;
  if (tc !== sc) throw new ClassCountMismatchError(`teacher logits seen by loss "${loss}"`, sc, tc);
  if (tb !== sb) {
    throw new ConfigError(`loss "${loss}": teacher batch ${tb} differs from student batch ${sb}`, 'run the teacher on the same batch as the student');
  }
  return teacher.logits;
}
