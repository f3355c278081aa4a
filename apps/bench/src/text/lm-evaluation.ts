import * as tf from '@tensorflow/tfjs';
import type { Classifier, Dataset, StepContext, TrainableModel } from '@distillery/core';
import { nextTokenTargets, perplexity } from '@distillery/losses';

/** Held-out language-model metrics of a run (LM suites report these instead of classification metrics). */
export interface LmMetrics {
  /** exp(mean next-token NLL) over every real position of every held-out window; lower is better */
  readonly perplexity: number;
  readonly meanNll: number;
  /** share of real positions whose arg-max next token is the true one */
  readonly nextTokenAccuracy: number;
  readonly tokens: number;
}

/** Perplexity (the losses package's) and next-token accuracy at every real position, in inference mode. */
export function lmEvaluation(model: Classifier, test: Dataset, batchSize = 64): LmMetrics {
  const trainable = model as TrainableModel;
  const result = perplexity(trainable, test, { batchSize });
  let correct = tf.scalar(0);
  let count = tf.scalar(0);
  for (const batch of test.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    const [nextCorrect, nextCount] = tf.tidy(() => {
      const outputs = trainable.forward(batch.x, { training: false });
      const context: StepContext = { student: outputs, labels: batch.y, indices: batch.index, numClasses: test.numClasses, progress: { epoch: 0, step: 0, fraction: 0 } };
      const logits = outputs.features['tokenLogits'] as tf.Tensor3D;
      const [b, length] = logits.shape;
      const { targets, weights } = nextTokenTargets(context, 'next-token accuracy', b, length);
      const hits = tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(targets, 'int32')), 'float32');
      return [tf.add(correct, tf.sum(tf.mul(hits, weights))), tf.add(count, tf.sum(weights))];
    });
    tf.dispose([correct, count, batch.x, batch.y, batch.index]);
    correct = nextCorrect as tf.Scalar;
    count = nextCount as tf.Scalar;
  }
  const hits = correct.dataSync()[0] ?? 0;
  const total = count.dataSync()[0] ?? 0;
  tf.dispose([correct, count]);
  return { perplexity: result.perplexity, meanNll: result.meanNll, nextTokenAccuracy: total > 0 ? hits / total : 0, tokens: result.tokens };
}
