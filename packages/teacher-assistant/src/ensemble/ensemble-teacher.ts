import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError, type Classifier, type ModelOutputs, type Teacher } from '@distillery/core';

/** Mixture probabilities below this are clipped before the log, like a black-box teacher's (log 1e-8 = -18.4). */
const MIN_PROBABILITY = 1e-8;

/**
 * A frozen weighted ensemble as one Teacher: p = sum_k w_k softmax(z_k). It answers with probabilities
 * only, so it is a black-box teacher reporting logits = log p (softmax(log p / T) is p^(1/T) renormalised,
 * so temperature-scaled KD works unchanged).
 */
export function weightedEnsembleTeacher(members: readonly Classifier[], weights: readonly number[], name = 'assistant-ensemble'): Teacher {
  const first = members[0];
  if (!first) throw new ConfigError('an ensemble needs at least one member', 'pass the trained assistants');
  if (weights.length !== members.length) throw new ConfigError(`got ${weights.length} weights for ${members.length} members`, 'one weight per member');
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || Math.abs(weights.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
    throw new ConfigError(`ensemble weights must be >= 0 and sum to 1, got [${weights.join(', ')}]`, 'normalise them (normaliseWeights)');
  }
  for (const member of members) if (member.numClasses !== first.numClasses) throw new ClassCountMismatchError(`ensemble member "${member.name}"`, first.numClasses, member.numClasses);
  const logProbabilities = (x: tf.Tensor): tf.Tensor2D =>
    tf.tidy(() => {
      const mixture = tf.addN(members.map((member, k) => tf.mul(tf.softmax(member.predictLogits(x)), weights[k] as number)));
      return tf.log(tf.clipByValue(mixture, MIN_PROBABILITY, 1)) as tf.Tensor2D;
    });
  return {
    name,
    access: 'black-box',
    numClasses: first.numClasses,
    inputShape: first.inputShape,
    featureNames: [],
    forward: (x): ModelOutputs => ({ logits: logProbabilities(x), features: {} }),
    predictLogits: logProbabilities,
  };
}
