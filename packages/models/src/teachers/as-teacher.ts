import type * as tf from '@tensorflow/tfjs';
import type { ModelOutputs, Teacher, TrainableModel } from '@distillery/core';

/**
 * A white-box Teacher view of a trainable model: inference mode (no dropout, batch-norm moving
 * statistics), logits and every feature tap. The view shares the model's variables; freezing is the
 * scheme's business (it simply does not hand them to an optimiser).
 */
export function asTeacher(model: TrainableModel): Teacher {
  return {
    access: 'white-box',
    name: model.name,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    featureNames: model.featureNames,
    forward: (x: tf.Tensor): ModelOutputs => model.forward(x, { training: false }),
    predictLogits: (x: tf.Tensor): tf.Tensor2D => model.predictLogits(x),
  };
}
