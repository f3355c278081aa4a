import {
  ClassCountMismatchError,
  ConfigError,
  TeacherAccessError,
  assertUnitInterval,
  requireChoice,
  requireNonNegative,
  requirePositive,
  type Teacher,
} from '@distillery/core';
import {
  AGGREGATIONS,
  FEATURE_WEIGHTINGS,
  MULTI_TEACHER_DEFAULTS,
  REGRESSOR_ACTIVATIONS,
  type Aggregation,
  type FeatureTeacherSpec,
  type FeatureWeighting,
  type MultiTeacherOptions,
  type RegressorActivation,
} from './options.js';

/** The name option errors carry: every preset (mean-kl, ca-mkd, ...) is this one scheme underneath. */
const OWNER = 'multi-teacher';

/** Sums of weights may be off by float rounding (0.1 + 0.2); anything further is a mistake. */
export const WEIGHT_SUM_TOLERANCE = 1e-6;

export interface ResolvedFeatures {
  readonly studentFeature: string | undefined;
  readonly teachers: readonly FeatureTeacherSpec[];
  readonly weighting: FeatureWeighting;
  readonly activation: RegressorActivation;
}

export interface ResolvedOptions {
  readonly aggregation: Aggregation;
  readonly responseTeachers: readonly number[];
  readonly weights: readonly number[] | undefined;
  readonly temperature: number;
  readonly alpha: number;
  readonly beta: number;
  readonly features: ResolvedFeatures | undefined;
  readonly cacheTeacherOutputs: boolean;
}

/** Every teacher must predict the same classes: their distributions are compared class by class. */
export function assertTeachers(teachers: readonly Teacher[]): void {
  const first = teachers[0];
  if (!first) throw new ConfigError('multi-teacher distillation needs at least one teacher, got none', 'pass teachers: [teacherA, teacherB, ...]');
  for (const teacher of teachers.slice(1)) {
    if (teacher.numClasses !== first.numClasses) {
      throw new ClassCountMismatchError(`teacher "${teacher.name}" vs teacher "${first.name}"`, first.numClasses, teacher.numClasses);
    }
  }
}

/** Fixed teacher weights: one per response teacher, finite, >= 0, summing to 1. */
export function assertTeacherWeights(weights: readonly number[], count: number): void {
  if (weights.length !== count) {
    throw new ConfigError(`got ${weights.length} teacher weights for ${count} response teachers`, 'give exactly one weight per response teacher');
  }
  weights.forEach((weight, i) => {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new ConfigError(`teacher weight ${i} must be a finite number >= 0, got ${weight}`, 'weights are a convex combination of the teachers');
    }
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
    throw new ConfigError(`teacher weights must sum to 1, got ${sum}`, 'divide each weight by their sum');
  }
}

function assertIndex(what: string, index: number, teachers: readonly Teacher[]): void {
  if (!Number.isInteger(index) || index < 0 || index >= teachers.length) {
    throw new ConfigError(`${what} ${index} is not a teacher index in [0, ${teachers.length - 1}]`, 'refer to teachers by their position in `teachers`');
  }
}

function resolveFeatures(options: MultiTeacherOptions): ResolvedFeatures | undefined {
  const features = options.features;
  if (!features) return undefined;
  if (features.teachers.length === 0) throw new ConfigError('features.teachers is empty', 'name at least one feature teacher, or omit `features`');
  const weighting = requireChoice(OWNER, 'features.weighting', features.weighting ?? MULTI_TEACHER_DEFAULTS.weighting, FEATURE_WEIGHTINGS);
  const activation = requireChoice(OWNER, 'features.activation', features.activation ?? MULTI_TEACHER_DEFAULTS.activation, REGRESSOR_ACTIVATIONS);
  const seen = new Set<number>();
  for (const spec of features.teachers) {
    assertIndex('feature teacher', spec.teacher, options.teachers);
    if (seen.has(spec.teacher)) throw new ConfigError(`feature teacher ${spec.teacher} is listed twice`, 'list each feature teacher once');
    seen.add(spec.teacher);
    const teacher = options.teachers[spec.teacher] as Teacher;
    if (teacher.access !== 'white-box') throw new TeacherAccessError(`feature distillation from teacher "${teacher.name}"`);
    if ((spec.feature === undefined) === (spec.loss === undefined)) {
      throw new ConfigError(`feature teacher ${spec.teacher} needs exactly one of "feature" (built-in regressed L2) and "loss"`, 'name a tap, or pass a feature loss');
    }
    if (spec.loss && weighting === 'confidence') {
      throw new ConfigError('confidence weighting needs per-sample feature losses, which a custom loss does not give', 'use the built-in loss (`feature`) or weighting "mean"');
    }
  }
  if (features.teachers.some((spec) => spec.feature !== undefined) && !features.studentFeature) {
    throw new ConfigError('the built-in feature loss needs features.studentFeature', 'name the student tap to regress onto the teachers\' features');
  }
  return { studentFeature: features.studentFeature, teachers: features.teachers, weighting, activation };
}

/** Checks everything knowable before training; prepare() checks shapes, taps and the dataset. */
export function resolveOptions(options: MultiTeacherOptions): ResolvedOptions {
  assertTeachers(options.teachers);
  const aggregation = requireChoice(OWNER, 'aggregation', options.aggregation ?? MULTI_TEACHER_DEFAULTS.aggregation, AGGREGATIONS);
  const responseTeachers = options.responseTeachers ?? options.teachers.map((_, i) => i);
  if (responseTeachers.length === 0) throw new ConfigError('responseTeachers is empty', 'name at least one teacher whose outputs the student matches');
  responseTeachers.forEach((index) => assertIndex('response teacher', index, options.teachers));
  if (new Set(responseTeachers).size !== responseTeachers.length) throw new ConfigError('a response teacher is listed twice', 'list each teacher once');
  if (aggregation === 'weights') {
    if (!options.weights) throw new ConfigError('aggregation "weights" needs `weights`', 'pass one weight per response teacher, summing to 1');
    assertTeacherWeights(options.weights, responseTeachers.length);
  } else if (options.weights) {
    throw new ConfigError(`weights were given but the aggregation is "${aggregation}"`, 'use aggregation "weights", or drop the weights');
  }
  if (aggregation === 'ca-mkd' && responseTeachers.length < 2) {
    throw new ConfigError('aggregation "ca-mkd" needs at least two response teachers', 'its weights (1 - softmax(CE)) / (K - 1) are undefined for K = 1; use "mean-kl"');
  }
  const temperature = requirePositive(OWNER, 'temperature', options.temperature ?? MULTI_TEACHER_DEFAULTS.temperature, 'use e.g. 4');
  const alpha = options.alpha ?? MULTI_TEACHER_DEFAULTS.alpha;
  assertUnitInterval('alpha', alpha);
  const beta = requireNonNegative(OWNER, 'beta', options.beta ?? MULTI_TEACHER_DEFAULTS.beta, 'beta weights the feature term');
  return {
    aggregation,
    responseTeachers,
    weights: options.weights,
    temperature,
    alpha,
    beta,
    features: resolveFeatures(options),
    cacheTeacherOutputs: options.cacheTeacherOutputs ?? MULTI_TEACHER_DEFAULTS.cacheTeacherOutputs,
  };
}
