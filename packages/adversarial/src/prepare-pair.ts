import { assertClassCounts, assertInputShape, featureShapes, type Batch, type Classifier, type ModelOutputs, type SchemeContext, type Student, type TeacherAccess } from '@distillery/core';
import type { DistillationObjective } from './objective.js';

export interface PreparedPair {
  readonly studentFeatureShapes: Record<string, number[]>;
  readonly teacherFeatureShapes: Record<string, number[]>;
}

/**
 * The part of prepare() every scheme of this package shares: teacher and student fit the run's classes
 * and inputs, their feature shapes on the sample batch (inference mode), and the distillation objective
 * prepared with them. `teacherForward` runs the teacher on the sample (frozen or trainable).
 */
export function preparePair(
  objective: DistillationObjective,
  context: SchemeContext,
  sample: Batch,
  pair: { readonly teacher: Classifier; readonly student: Student; readonly teacherAccess: TeacherAccess },
  teacherForward: () => ModelOutputs,
): PreparedPair {
  const { teacher, student, teacherAccess } = pair;
  assertClassCounts(context.numClasses, [teacher, student]);
  assertInputShape(context.inputShape, [teacher, student]);
  const studentFeatureShapes = featureShapes(() => student.forward(sample.x, { training: false }));
  const teacherFeatureShapes = featureShapes(teacherForward);
  objective.prepare({ numClasses: context.numClasses, datasetSize: context.datasetSize, teacherAccess, studentFeatureShapes, teacherFeatureShapes, seed: context.seed });
  return { studentFeatureShapes, teacherFeatureShapes };
}
