import * as tf from '@tensorflow/tfjs';
import { EmptyDatasetError, MissingFeatureError, requirePositiveInteger } from '@distillery/core';
import type { Dataset, ModelOutputs, StepContext, Teacher, TrainableModel } from '@distillery/core';
import { TOKEN_LOGITS } from './taps.js';
import { nextTokenTargets, readTokenLogits, tokenNll } from './token-targets.js';

export interface PerplexityOptions {
  /** default 64 */
  readonly batchSize?: number;
}

export interface PerplexityResult {
  /** exp(meanNll) */
  readonly perplexity: number;
  /** mean next-token negative log-likelihood (nats) over the counted tokens */
  readonly meanNll: number;
  /** positions counted: real tokens whose target is not [PAD] */
  readonly tokens: number;
}

function forward(model: TrainableModel | Teacher, x: tf.Tensor): ModelOutputs {
  return 'access' in model ? model.forward(x) : model.forward(x, { training: false });
}

/**
 * Perplexity of a causal language model on a dataset of next-token windows: exp of the mean per-token
 * NLL of `tokenLogits` against concat(tokens[:, 1:], labels) over every real position of every window
 * (the same targets and weights as `lm-ce`), in inference mode. One read of the totals at the end.
 */
export function perplexity(model: TrainableModel | Teacher, dataset: Dataset, options: PerplexityOptions = {}): PerplexityResult {
  const batchSize = options.batchSize ?? 64;
  requirePositiveInteger('perplexity', 'batchSize', batchSize, 'use e.g. 64');
  if (!model.featureNames.includes(TOKEN_LOGITS)) throw new MissingFeatureError(`model "${model.name}" (perplexity needs a language model)`, TOKEN_LOGITS, model.featureNames);
  let total = tf.scalar(0);
  let count = tf.scalar(0);
  for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    const [nextTotal, nextCount] = tf.tidy(() => {
      const outputs = forward(model, batch.x);
      const context: StepContext = {
        student: outputs,
        labels: batch.y,
        indices: batch.index,
        numClasses: dataset.numClasses,
        progress: { epoch: 0, step: 0, fraction: 0 },
      };
      const logits = readTokenLogits(context, 'student', 'perplexity');
      const [b, length] = logits.shape;
      const { targets, weights } = nextTokenTargets(context, 'perplexity', b, length);
      return [tf.add(total, tf.sum(tf.mul(tokenNll(logits, targets), weights))), tf.add(count, tf.sum(weights))];
    });
    tf.dispose([total, count, batch.x, batch.y, batch.index]);
    total = nextTotal as tf.Scalar;
    count = nextCount as tf.Scalar;
  }
  const [sum, tokens] = [total.dataSync()[0] as number, count.dataSync()[0] as number];
  tf.dispose([total, count]);
  if (tokens === 0) throw new EmptyDatasetError(`dataset "${dataset.name}" (no real next-token positions for perplexity)`);
  const meanNll = sum / tokens;
  return { perplexity: Math.exp(meanNll), meanNll, tokens };
}
