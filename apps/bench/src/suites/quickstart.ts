import type { SuiteSpec } from './suite-spec.js';

/**
 * The default suite: Hinton-style MLP distillation on a 10,000-image MNIST training subset, tested on
 * the full official 10,000-image test set. The teacher is wider and regularised with dropout; the
 * students share one architecture, trained on labels alone or with soft targets at T = 4.
 * Sized to finish in well under 15 minutes on a 2-core machine.
 */
export const quickstart: SuiteSpec = {
  name: 'quickstart',
  description: 'MNIST (10k-image training subset): teacher MLP, student alone, KD student; 3 seeds',
  dataset: { name: 'mnist', trainLimit: 10_000 },
  teacher: { hidden: [1200, 1200], dropout: 0.3, inputDropout: 0.1 },
  student: { hidden: [100] },
  methods: [
    { id: 'teacher', role: 'teacher', model: 'teacher' },
    { id: 'student alone', role: 'student-alone', model: 'student' },
    { id: 'KD (T=4)', role: 'distilled', model: 'student', loss: 'kd', lossOptions: { temperature: 4 }, alpha: 0.9 },
  ],
  seeds: [1, 2, 3],
  epochs: { teacher: 8, student: 8 },
  batchSize: 128,
  learningRate: 1e-3,
};

/** About a minute: a 2,000-image subset, smaller models, fewer epochs; for smoke runs, not for conclusions. */
export const quickstartQuick: SuiteSpec = {
  ...quickstart,
  name: 'quickstart-quick',
  description: 'MNIST (2k-image subset, 1k test images): smoke run of the quickstart suite',
  dataset: { name: 'mnist', trainLimit: 2_000, testLimit: 1_000 },
  teacher: { hidden: [256, 256], dropout: 0.2 },
  student: { hidden: [32] },
  epochs: { teacher: 4, student: 4 },
};

export const SUITES: Readonly<Record<string, { full: SuiteSpec; quick: SuiteSpec }>> = {
  quickstart: { full: quickstart, quick: quickstartQuick },
};
