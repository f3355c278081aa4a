import * as tf from '@tensorflow/tfjs';
import { ConfigError, MissingFeatureError, TeacherAccessError } from '@distillery/core';
import type { KnowledgeLoss, LossSetup, StepContext } from '@distillery/core';
import { normalArray } from '../../src/index.js';

/**
 * A FitNets-like toy loss that uses every part of the contract the suite checks: white-box teacher,
 * student and teacher features, minClasses, an owned variable (a linear regressor) and two terms.
 */
export function toyHintLoss(options: { readonly wrongGradient?: boolean; readonly leak?: boolean } = {}): KnowledgeLoss {
  let regressor: tf.Variable | undefined;
  const name = 'toy-hint';
  // Doubles the true gradient of sum(x^2)/n: the gradient check must notice.
  const wrongSquare = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const input = x as tf.Tensor;
    (save as tf.GradSaveFunc)([input]);
    return { value: tf.square(input), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0] as tf.Tensor, 4)) };
  });
  return {
    name,
    requires: { teacher: 'white-box', studentFeatures: ['hidden0'], teacherFeatures: ['hidden0'], minClasses: 2 },
    prepare(setup: LossSetup) {
      if (setup.teacherAccess === 'black-box') throw new TeacherAccessError(name);
      const student = setup.studentFeatureShapes.hidden0;
      const teacher = setup.teacherFeatureShapes.hidden0;
      if (!student) throw new MissingFeatureError('student', 'hidden0', Object.keys(setup.studentFeatureShapes));
      if (!teacher) throw new MissingFeatureError('teacher', 'hidden0', Object.keys(setup.teacherFeatureShapes));
      if (setup.numClasses < 2) throw new ConfigError('toy-hint needs 2 classes', 'add classes');
      const [ds, dt] = [student[0] as number, teacher[0] as number];
      regressor = tf.tidy(() => tf.variable(tf.tensor2d(normalArray(ds * dt, setup.seed + 5, 0.5), [ds, dt])));
    },
    compute(context: StepContext) {
      const teacher = context.teacher;
      if (!teacher || !regressor) throw new Error('toy-hint: prepare first, with a teacher');
      const w = regressor;
      if (options.leak) tf.keep(tf.scalar(1));
      return tf.tidy(() => {
        const hs = context.student.features.hidden0 as tf.Tensor2D;
        const ht = teacher.features.hidden0 as tf.Tensor2D;
        const residual = tf.sub(tf.matMul(hs, w), ht);
        const squared = options.wrongGradient ? (wrongSquare(residual) as tf.Tensor) : tf.square(residual);
        return {
          hint: tf.mean(squared) as tf.Scalar,
          logitMse: tf.mean(tf.square(tf.sub(context.student.logits, teacher.logits))) as tf.Scalar,
        };
      });
    },
    variables: (): Record<string, tf.Variable> => (regressor ? { 'toy-hint/regressor': regressor } : {}),
    dispose: () => regressor?.dispose(),
  };
}
