import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '@distillery/core';

/** The cohort as one classifier: the mean of the members' logits, the teacher of the online-ensemble scheme. */
export function cohortEnsemble(members: readonly Classifier[], name = 'ensemble'): Classifier {
  const first = members[0];
  if (!first) throw new Error('an ensemble needs at least one member');
  return {
    name,
    numClasses: first.numClasses,
    inputShape: first.inputShape,
    predictLogits: (x) => tf.tidy(() => tf.div(tf.addN(members.map((m) => m.predictLogits(x))), members.length) as tf.Tensor2D),
  };
}
