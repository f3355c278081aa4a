import {
  argMaxRows,
  classificationMetrics,
  predictDataset,
  reliabilityBins,
  type Classifier,
  type ClassificationMetrics,
  type Dataset,
  type ReliabilityBin,
} from '@distillery/core';
import { biasProbabilities } from './class-bias.js';

export interface FinalEvaluation {
  readonly last: ClassificationMetrics;
  readonly classBias: ClassificationMetrics | undefined;
  readonly reliability: readonly ReliabilityBin[];
}

/** The reference model's arg-max on the test set (for agreement), computed once per run. */
export async function referenceArgMax(reference: Classifier | undefined, test: Dataset): Promise<Int32Array | undefined> {
  if (!reference) return undefined;
  const predictions = await predictDataset(reference, test);
  return argMaxRows(predictions.probabilities, predictions.classes);
}

/** Test metrics of a trained model, with the class-bias offsets applied as a second evaluation when given. */
export async function finalEvaluation(model: Classifier, test: Dataset, reference: Int32Array | undefined, offsets: Readonly<Record<string, number>> | undefined): Promise<FinalEvaluation> {
  const { probabilities, labels, classes } = await predictDataset(model, test);
  return {
    last: classificationMetrics(probabilities, labels, classes, reference),
    classBias: offsets ? classificationMetrics(biasProbabilities(probabilities, classes, offsets), labels, classes, reference) : undefined,
    reliability: reliabilityBins(probabilities, labels, classes),
  };
}
