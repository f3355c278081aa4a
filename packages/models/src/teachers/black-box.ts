import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError, InputShapeError } from '@distillery/core';
import type { ModelOutputs, Teacher } from '@distillery/core';

export interface BlackBoxTeacherOptions {
  readonly name: string;
  readonly numClasses: number;
  /** per-sample input shape, without the batch dimension */
  readonly inputShape: readonly number[];
  /** class probabilities [batch, numClasses] for a batch (an API call, a model you cannot open) */
  predictProbabilities(x: tf.Tensor): tf.Tensor2D;
}

/** Probabilities below this are clipped before the log, so a hard 0 gives a finite logit (log 1e-8 = -18.4). */
export const BLACK_BOX_MIN_PROBABILITY = 1e-8;

/**
 * A Teacher that only answers with probabilities. It reports `logits = log(clip(p, 1e-8, 1))`: softmax of
 * log p is p again, and softmax(log p / T) is p^(1/T) renormalised, so temperature-scaled response losses
 * work unchanged. It has no features, so feature losses refuse it (access 'black-box').
 */
export function blackBoxTeacher(options: BlackBoxTeacherOptions): Teacher {
  const { name, numClasses, inputShape } = options;
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new ConfigError(`${name}: numClasses ${numClasses} is not an integer >= 2`, 'give the number of classes the teacher predicts');
  }

  const logProbabilities = (x: tf.Tensor): tf.Tensor2D => {
    const actual = x.shape.slice(1);
    if (actual.length !== inputShape.length || actual.some((d, i) => d !== inputShape[i])) {
      throw new InputShapeError(`${name} (-1 = any batch size)`, [-1, ...inputShape], x.shape);
    }
    return tf.tidy(() => {
      const p = options.predictProbabilities(x);
      if (p.rank !== 2 || p.shape[0] !== x.shape[0]) {
        throw new ConfigError(
          `${name}: predictProbabilities returned shape [${p.shape.join(', ')}] for a batch of ${x.shape[0]}`,
          'return a [batch, numClasses] tensor of probabilities',
        );
      }
      if (p.shape[1] !== numClasses) throw new ClassCountMismatchError(name, numClasses, p.shape[1]);
      return tf.log(tf.clipByValue(p, BLACK_BOX_MIN_PROBABILITY, 1));
    });
  };

  return {
    access: 'black-box',
    name,
    numClasses,
    inputShape,
    featureNames: [],
    forward: (x: tf.Tensor): ModelOutputs => ({ logits: logProbabilities(x), features: {} }),
    predictLogits: logProbabilities,
  };
}
