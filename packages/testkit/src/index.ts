export { describeLossConformance } from './loss-conformance.js';
export type { AnalyticCase, LossConformanceOptions } from './loss-conformance.js';
export { describeSchemeConformance } from './scheme-conformance.js';
export type { SchemeConformanceOptions } from './scheme-conformance.js';
export { runSchemeConformance, meanOf } from './scheme-run.js';
export type { SchemeFixture, SchemeRunOptions, SchemeRunReport } from './scheme-run.js';
export { checkLossGradients } from './gradient-check.js';
export type { GradientCheckOptions, GradientCheckReport, GradientMismatch } from './gradient-check.js';
export { countLeakedTensors } from './leaks.js';
export { thrownCode } from './expect-error.js';
export { useBackend } from './backend.js';
export {
  disposeStepContext,
  makeStepContext,
  randomFeature,
  randomLogits,
  stepContextTensors,
  withStudentOutputs,
} from './step-context.js';
export type { StepContextOptions, SyntheticStep } from './step-context.js';
export { disposeBatch, tinyDataset } from './tiny-dataset.js';
export type { TinyDataset, TinyDatasetOptions } from './tiny-dataset.js';
export { tinyDenseModel, tinyTeacher } from './tiny-model.js';
export type { TinyDenseModelOptions } from './tiny-model.js';
export { fitTinyModel } from './fit.js';
export type { FitOptions } from './fit.js';
export { normalArray, seededPermutation, seededRandom } from './random.js';
export type { SeededRandom } from './random.js';
export { restoreTrackables, snapshotTrackables } from './trackables.js';
export type { TrackablesSnapshot } from './trackables.js';
export { firstBatch, schemeContextFor } from './scheme-context.js';
