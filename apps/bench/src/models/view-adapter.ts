import * as tf from '@tensorflow/tfjs';
import type { ModelOutputs, Teacher } from '@distillery/core';
import type { View } from '../suites/schema.js';
import { inputShapeOf } from './build-model.js';

/** Converts a batch between views of the same 28x28 images (pad 2 px each side for 32x32, as the data package does). */
function convert(x: tf.Tensor, from: View, to: View): tf.Tensor {
  const batch = x.shape[0] ?? -1;
  let image = from === 'flattened' ? x.reshape([batch, 28, 28, 1]) : x;
  if (from === 'padded32') image = image.slice([0, 2, 2, 0], [batch, 28, 28, 1]);
  if (to === 'flattened') return image.reshape([batch, 784]);
  if (to === 'padded32') return tf.pad(image, [[0, 0], [2, 2], [2, 2], [0, 0]]);
  return image;
}

/**
 * A teacher that takes the student's view of the data: a LeNet-5 teacher (32x32) can teach an MLP
 * student (784-vectors) on the same batches. The teacher's weights are shared, not copied.
 */
export function teacherInView(teacher: Teacher, teacherView: View, studentView: View): Teacher {
  if (teacherView === studentView) return teacher;
  return {
    access: teacher.access,
    name: teacher.name,
    numClasses: teacher.numClasses,
    inputShape: inputShapeOf(studentView),
    featureNames: teacher.featureNames,
    forward: (x: tf.Tensor): ModelOutputs => {
      const converted = convert(x, studentView, teacherView);
      try {
        return teacher.forward(converted);
      } finally {
        converted.dispose();
      }
    },
    predictLogits: (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => teacher.predictLogits(convert(x, studentView, teacherView))),
  };
}
