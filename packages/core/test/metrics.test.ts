import { describe, expect, it } from 'vitest';
import { classificationMetrics, expectedCalibrationError, reliabilityBins } from '../src/index.js';

describe('classification metrics', () => {
  // 4 samples, 2 classes: confidences 0.9 (right), 0.8 (right), 0.6 (wrong), 0.7 (right)
  const probabilities = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]);
  const labels = Int32Array.from([0, 1, 1, 1]);

  it('computes accuracy, errors and NLL analytically', () => {
    const m = classificationMetrics(probabilities, labels, 2);
    expect(m.accuracy).toBeCloseTo(0.75, 10);
    expect(m.errors).toBe(1);
    expect(m.nll).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.7)) / 4, 6);
  });

  it('computes ECE with 10 bins by hand', () => {
    // confidences chosen away from bin edges (float32 0.7 is 0.6999..., which would fall in bin 6)
    const probs = Float32Array.from([0.95, 0.05, 0.15, 0.85, 0.65, 0.35, 0.25, 0.75, 0.62, 0.38]);
    const bins = reliabilityBins(probs, Int32Array.from([0, 1, 1, 1, 0]), 2, 10);
    // bin 9: 0.95 right; bin 8: 0.85 right; bin 6: 0.65 wrong and 0.62 right (acc 0.5, conf 0.635); bin 7: 0.75 right
    const expected = (0.05 + 0.15 + 2 * Math.abs(0.5 - 0.635) + 0.25) / 5;
    expect(expectedCalibrationError(bins)).toBeCloseTo(expected, 6);
  });

  it('is perfectly calibrated when confidence equals accuracy', () => {
    const probs = Float32Array.from([1, 0, 0, 1]);
    expect(classificationMetrics(probs, Int32Array.from([0, 1]), 2).ece).toBeCloseTo(0, 10);
  });

  it('measures agreement with a reference', () => {
    const m = classificationMetrics(probabilities, labels, 2, Int32Array.from([0, 1, 1, 0]));
    // predictions are [0, 1, 0, 1]
    expect(m.agreement).toBeCloseTo(0.5, 10);
  });
});
