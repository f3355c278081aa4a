import { plugin } from './plugin.js';

export { MultiTeacherDistillation, multiTeacherDistillation } from './multi-teacher-scheme.js';
export { AGGREGATIONS, FEATURE_WEIGHTINGS, REGRESSOR_ACTIVATIONS, MULTI_TEACHER_DEFAULTS } from './options.js';
export type {
  Aggregation,
  FeatureDistillationOptions,
  FeatureTeacherSpec,
  FeatureWeighting,
  MultiTeacherOptions,
  RegressorActivation,
} from './options.js';
export { caMkd, mixedKnowledge } from './presets.js';
export type { CaMkdOptions, MixedKnowledgeOptions } from './presets.js';
export { responseTerm } from './response-term.js';
export type { ResponseTermInputs } from './response-term.js';
export { confidenceWeights, rowKl, teacherCrossEntropies } from './divergences.js';
export { randomTeacherIndex } from './random-teacher.js';
export { createRegressor } from './feature-regressor.js';
export type { FeatureRegressor, RegressorOptions } from './feature-regressor.js';
export { teacherEnsemble } from './teacher-ensemble.js';
export type { EnsemblePool } from './teacher-ensemble.js';
export { assertTeachers, assertTeacherWeights, WEIGHT_SUM_TOLERANCE } from './validate.js';
export { multiTeacherSchemeDefinition, MULTI_TEACHER_SCHEME_DEFAULTS, plugin } from './plugin.js';
export type { MultiTeacherSchemeOptions } from './plugin.js';
export default plugin;
