import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError } from '@distillery/core';
import type { Batch, Scheme, SchemeContext, Teacher, TrainableModel, TrainingProgress } from '@distillery/core';

export interface ToySchemeOptions {
  readonly student: TrainableModel;
  readonly teacher: Teacher;
  readonly learningRate?: number;
  /** faults the conformance suite must detect */
  readonly leakPerStep?: boolean;
  /** trains this model too (on CE): as if a scheme passed the teacher's variables to the optimiser */
  readonly alsoTrain?: TrainableModel;
  readonly hideOptimizer?: boolean;
}

/** Vanilla KD (CE + T^2 KL at T = 2) with Adam: a small but honest scheme for the suite's own tests. */
export function toyKdScheme(options: ToySchemeOptions): Scheme {
  const { student, teacher } = options;
  let optimizer: tf.Optimizer | undefined;
  const temperature = 2;
  return {
    name: 'toy-kd',
    prepare(context: SchemeContext, _sample: Batch) {
      if (student.numClasses !== context.numClasses) throw new ClassCountMismatchError('student', context.numClasses, student.numClasses);
      optimizer = tf.train.adam(options.learningRate ?? 0.02);
    },
    step(batch: Batch, _progress: TrainingProgress) {
      if (!optimizer) throw new Error('prepare first');
      if (options.leakPerStep) tf.keep(tf.zeros([2]));
      // step() runs bare, as under the Trainer: only the deliberate leak above may survive it
      const soft = tf.tidy(() => tf.softmax(tf.div(teacher.forward(batch.x).logits, temperature)));
      let ce: tf.Scalar | undefined;
      let kd: tf.Scalar | undefined;
      const total = optimizer.minimize(
        () => {
          const logits = student.forward(batch.x, { training: true }).logits;
          ce = tf.keep(tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, student.numClasses), logits) as tf.Scalar);
          const logS = tf.logSoftmax(tf.div(logits, temperature));
          kd = tf.keep(tf.mul(tf.div(tf.sum(tf.mul(soft, tf.sub(tf.log(tf.add(soft, 1e-12)), logS))), batch.size), temperature ** 2) as tf.Scalar);
          const extra = options.alsoTrain;
          const leakTerm = extra
            ? tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, student.numClasses), extra.forward(batch.x, { training: true }).logits)
            : tf.scalar(0);
          return tf.add(tf.add(ce, kd), leakTerm) as tf.Scalar;
        },
        true,
        [...student.trainableVariables(), ...(options.alsoTrain?.trainableVariables() ?? [])],
      ) as tf.Scalar;
      soft.dispose();
      return { ce: ce as tf.Scalar, kd: kd as tf.Scalar, total };
    },
    evaluationModels: () => ({ student }),
    referenceModel: () => teacher,
    trackables: () => {
      const optimizers: Record<string, tf.Optimizer> = optimizer && !options.hideOptimizer ? { student: optimizer } : {};
      return { variables: student.stateVariables(), optimizers };
    },
    dispose() {
      optimizer?.dispose();
      student.dispose();
    },
  };
}
