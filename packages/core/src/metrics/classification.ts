/**
 * Classification metrics over probabilities held in plain arrays (read once per evaluation, not per step).
 * `probabilities` is row-major [n, classes].
 */
export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly errors: number;
  /** mean negative log-likelihood of the true class (nats) */
  readonly nll: number;
  /** expected calibration error with equal-width confidence bins */
  readonly ece: number;
  /** fraction of samples whose arg-max matches the reference model's (the teacher), when one is given */
  readonly agreement?: number;
  readonly count: number;
}

export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly accuracy: number;
  readonly confidence: number;
}

export function argMaxRows(values: Float32Array, classes: number): Int32Array {
  const rows = values.length / classes;
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = values[r * classes + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    result[r] = best;
  }
  return result;
}

/** Bins samples by top-1 confidence; ECE = sum over bins of |accuracy - confidence| weighted by bin size. */
export function reliabilityBins(probabilities: Float32Array, labels: Int32Array, classes: number, binCount = 15): ReliabilityBin[] {
  const counts = new Float64Array(binCount);
  const correct = new Float64Array(binCount);
  const confidenceSum = new Float64Array(binCount);
  const predictions = argMaxRows(probabilities, classes);
  for (let r = 0; r < labels.length; r++) {
    const prediction = predictions[r]!;
    const confidence = probabilities[r * classes + prediction]!;
    const bin = Math.min(binCount - 1, Math.floor(confidence * binCount));
    counts[bin]! += 1;
    confidenceSum[bin]! += confidence;
    if (prediction === labels[r]) correct[bin]! += 1;
  }
  return Array.from({ length: binCount }, (_, b) => ({
    lower: b / binCount,
    upper: (b + 1) / binCount,
    count: counts[b]!,
    accuracy: counts[b]! > 0 ? correct[b]! / counts[b]! : 0,
    confidence: counts[b]! > 0 ? confidenceSum[b]! / counts[b]! : 0,
  }));
}

export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return 0;
  return bins.reduce((sum, bin) => sum + (bin.count / total) * Math.abs(bin.accuracy - bin.confidence), 0);
}

export function classificationMetrics(
  probabilities: Float32Array,
  labels: Int32Array,
  classes: number,
  referencePredictions?: Int32Array,
): ClassificationMetrics {
  const n = labels.length;
  const predictions = argMaxRows(probabilities, classes);
  let correct = 0;
  let nll = 0;
  let agree = 0;
  for (let r = 0; r < n; r++) {
    const label = labels[r]!;
    if (predictions[r] === label) correct += 1;
    nll -= Math.log(Math.max(probabilities[r * classes + label]!, 1e-12));
    if (referencePredictions && referencePredictions[r] === predictions[r]) agree += 1;
  }
  const metrics: ClassificationMetrics = {
    accuracy: n ? correct / n : 0,
    errors: n - correct,
    nll: n ? nll / n : 0,
    ece: expectedCalibrationError(reliabilityBins(probabilities, labels, classes)),
    count: n,
  };
  return referencePredictions ? { ...metrics, agreement: n ? agree / n : 0 } : metrics;
}
