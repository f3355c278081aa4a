import * as tf from '@tensorflow/tfjs';
import type { Classifier, ModelOutputs, Teacher } from '@distillery/core';

/** Clipped before the log, as black-box teachers are (log 1e-8 = -18.4): keeps the logits finite. */
const MIN_PROBABILITY = 1e-8;

/**
 * Several earlier generations as one frozen teacher: the mean of their softmax outputs, reported as
 * log-probabilities with black-box access (core's convention for probability-only teachers), so KD at
 * temperature T sees p^(1/T) renormalised. This is BAN's ensemble of generations (BANE).
 */
export function ensembleTeacher(members: readonly Classifier[]): Teacher {
  const first = members[0];
  if (!first) throw new Error('an ensemble teacher needs at least one member');
  const predictLogits = (x: tf.Tensor): tf.Tensor2D =>
    tf.tidy(() => {
      const mean = tf.div(tf.addN(members.map((m) => tf.softmax(m.predictLogits(x)))), members.length);
      return tf.log(tf.clipByValue(mean, MIN_PROBABILITY, 1)) as tf.Tensor2D;
    });
  return {
    name: `ensemble(${members.map((m) => m.name).join(', ')})`,
    numClasses: first.numClasses,
    inputShape: first.inputShape,
    access: 'black-box',
    featureNames: [],
    forward: (x): ModelOutputs => ({ logits: predictLogits(x), features: {} }),
    predictLogits,
  };
}
