import * as tf from '@tensorflow/tfjs';
import type { Teacher } from '@distillery/core';
import { batchNormTapName, batchNormTeacher } from '@distillery/data-free';
import { asTeacher, blackBoxTeacher, type LayersTrainableModel } from '@distillery/models';
import type { View } from '../suites/schema.js';
import { teacherInView } from './view-adapter.js';

export interface RunTeacherOptions {
  /** the scheme sees probabilities only (logits = log p) and no features */
  readonly blackBox: boolean;
  /** the view the teacher was trained on */
  readonly view: View;
  /** the view of the batches the scheme feeds it */
  readonly studentView: View;
}

/**
 * A trained model as the teacher of a run: white-box (logits and features) or black-box (probabilities
 * only), taking the student's view of the batches. The model's weights are shared, not copied; the
 * caller keeps ownership of the model.
 */
export function runTeacher(model: LayersTrainableModel, options: RunTeacherOptions): Teacher {
  const teacher = options.blackBox
    ? blackBoxTeacher({
        name: `${model.name} (black box)`,
        numClasses: model.numClasses,
        inputShape: model.inputShape,
        predictProbabilities: (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => tf.softmax(model.predictLogits(x))),
      })
    : model.featureNames.some((name) => name.startsWith(batchNormTapName(''))) // batch norms' inputs tapped: carry their statistics (DeepInversion)
      ? batchNormTeacher(model)
      : asTeacher(model);
  return teacherInView(teacher, options.view, options.studentView);
}
