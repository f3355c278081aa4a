import * as tf from '@tensorflow/tfjs';

/**
 * The model's last prediction for every training sample, by sample index, kept in (non-trainable)
 * variables so checkpoints carry it and a resumed run continues with the same targets. `filled` marks
 * the samples seen at least once; until then a sample's target falls back to its label.
 */
export class PredictionMemory {
  readonly predictions: tf.Variable;
  readonly filled: tf.Variable;

  constructor(datasetSize: number, numClasses: number) {
    this.predictions = tf.tidy(() => tf.variable(tf.zeros([datasetSize, numClasses]), false));
    this.filled = tf.tidy(() => tf.variable(tf.zeros([datasetSize]), false));
  }

  /** stored predictions for `indices`, or `fallback`'s rows where nothing is stored yet */
  lookup(indices: tf.Tensor1D, fallback: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const seen = tf.expandDims(tf.gather(this.filled, indices), 1);
      const stored = tf.gather(this.predictions, indices);
      return tf.add(tf.mul(seen, stored), tf.mul(tf.sub(1, seen), fallback)) as tf.Tensor2D;
    });
  }

  /** overwrites the rows of `indices` (each index once per batch, as batches from a Dataset are) */
  store(indices: tf.Tensor1D, probabilities: tf.Tensor2D): void {
    tf.tidy(() => {
      const rows = tf.expandDims(tf.cast(indices, 'int32'), 1);
      this.predictions.assign(tf.tensorScatterUpdate(this.predictions, rows, probabilities));
      this.filled.assign(tf.tensorScatterUpdate(this.filled, rows, tf.ones([indices.shape[0]])));
    });
  }

  variables(): Record<string, tf.Variable> {
    return { predictions: this.predictions, filled: this.filled };
  }

  dispose(): void {
    this.predictions.dispose();
    this.filled.dispose();
  }
}
