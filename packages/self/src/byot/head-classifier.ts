import * as tf from '@tensorflow/tfjs';
import type { Classifier, TrainableModel } from '@distillery/core';
import type { Head } from './head.js';

/**
 * A shallow head as a classifier for evaluation: the backbone's forward pass (inference mode) and the
 * head on its tap. It runs the whole backbone; `exportShallowModel` gives the truncated one.
 */
export function headClassifier(model: TrainableModel, head: Head): Classifier {
  return {
    name: `${model.name}@${head.tap}`,
    numClasses: model.numClasses,
    inputShape: model.inputShape,
    predictLogits: (x) =>
      tf.tidy(() => {
        const feature = model.forward(x, { training: false }).features[head.tap] as tf.Tensor;
        return head.apply(feature).logits;
      }),
  };
}

/** Every head's vote: the mean of the heads' logits (BYOT reports this ensemble beside each head). */
export function headEnsemble(name: string, heads: readonly Classifier[]): Classifier {
  const first = heads[0] as Classifier;
  return {
    name,
    numClasses: first.numClasses,
    inputShape: first.inputShape,
    predictLogits: (x) => tf.tidy(() => tf.div(tf.addN(heads.map((h) => h.predictLogits(x))), heads.length) as tf.Tensor2D),
  };
}
