import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../contracts/data.js';
import type { Classifier } from '../contracts/models.js';
import { argMaxRows, classificationMetrics, type ClassificationMetrics } from './classification.js';

export interface Predictions {
  /** row-major [n, classes] softmax probabilities */
  readonly probabilities: Float32Array;
  readonly labels: Int32Array;
  readonly classes: number;
}

/** Runs a classifier over a dataset in inference mode, in dataset order, and returns probabilities. */
export async function predictDataset(model: Classifier, dataset: Dataset, batchSize = 512): Promise<Predictions> {
  const probabilities = new Float32Array(dataset.size * model.numClasses);
  const labels = new Int32Array(dataset.size);
  let offset = 0;
  for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    const probs = tf.tidy(() => tf.softmax(model.predictLogits(batch.x)));
    const [values, batchLabels] = await Promise.all([probs.data(), batch.y.data()]);
    probabilities.set(values as Float32Array, offset * model.numClasses);
    labels.set(batchLabels as Int32Array, offset);
    offset += batch.size;
    probs.dispose();
    batch.x.dispose();
    batch.y.dispose();
    batch.index.dispose();
  }
  return { probabilities, labels, classes: model.numClasses };
}

/** Metrics of every model on a dataset; agreement is measured against `reference` when given. */
export async function evaluateModels(
  models: Readonly<Record<string, Classifier>>,
  dataset: Dataset,
  reference?: Classifier,
): Promise<Record<string, ClassificationMetrics>> {
  let referenceArgMax: Int32Array | undefined;
  if (reference) {
    const referencePredictions = await predictDataset(reference, dataset);
    referenceArgMax = argMaxRows(referencePredictions.probabilities, referencePredictions.classes);
  }
  const result: Record<string, ClassificationMetrics> = {};
  for (const [name, model] of Object.entries(models)) {
    const predictions = await predictDataset(model, dataset);
    result[name] = classificationMetrics(predictions.probabilities, predictions.labels, predictions.classes, referenceArgMax);
  }
  return result;
}
