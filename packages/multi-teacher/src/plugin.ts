import { ConfigError, type DistilleryPlugin, type SchemeDefinition } from '@distillery/core';
import { MultiTeacherDistillation } from './multi-teacher-scheme.js';
import type { Aggregation, FeatureTeacherSpec, FeatureWeighting, RegressorActivation } from './options.js';

/** JSON-safe options of the registry entry (a type alias so it satisfies core's HyperParameters). */
export type MultiTeacherSchemeOptions = {
  readonly aggregation: Aggregation;
  /** 'weights' only; one per response teacher */
  readonly weights: readonly number[];
  /** empty: every teacher */
  readonly responseTeachers: readonly number[];
  readonly temperature: number;
  readonly alpha: number;
  readonly beta: number;
  /** teacher indices whose features are distilled; empty: no feature term */
  readonly featureTeachers: readonly number[];
  /** one tap per feature teacher */
  readonly teacherFeatures: readonly string[];
  readonly studentFeature: string;
  readonly featureWeighting: FeatureWeighting;
  readonly regressorActivation: RegressorActivation;
  readonly cacheTeacherOutputs: boolean;
};

export const MULTI_TEACHER_SCHEME_DEFAULTS: MultiTeacherSchemeOptions = {
  aggregation: 'mean-kl',
  weights: [],
  responseTeachers: [],
  temperature: 4,
  alpha: 0.9,
  beta: 1,
  featureTeachers: [],
  teacherFeatures: [],
  studentFeature: '',
  featureWeighting: 'mean',
  regressorActivation: 'relu',
  cacheTeacherOutputs: true,
};

export const multiTeacherSchemeDefinition: SchemeDefinition<MultiTeacherSchemeOptions> = {
  kind: 'scheme',
  name: 'multi-teacher',
  summary: 'Several frozen teachers -> one student: mean-logits, mean-KL, fixed weights, a random teacher per step, or CA-MKD confidence weights, plus optional feature teachers',
  reference: { title: 'Confidence-Aware Multi-Teacher Knowledge Distillation', authors: 'Zhang, Chen, Wang', year: 2022, url: 'https://arxiv.org/abs/2201.00007' },
  defaults: MULTI_TEACHER_SCHEME_DEFAULTS,
  create(inputs, options) {
    const student = inputs.students[0];
    if (!student) throw new ConfigError('the multi-teacher scheme needs one student', 'pass students: [model]');
    if (inputs.losses.length > 0) throw new ConfigError('the multi-teacher scheme builds its own losses', 'configure it through its options (aggregation, temperature, features)');
    const s = { ...MULTI_TEACHER_SCHEME_DEFAULTS, ...options };
    if (s.teacherFeatures.length !== s.featureTeachers.length) {
      throw new ConfigError(`got ${s.teacherFeatures.length} teacherFeatures for ${s.featureTeachers.length} featureTeachers`, 'give one tap per feature teacher');
    }
    const featureSpecs = s.featureTeachers.map((teacher, i): FeatureTeacherSpec => ({ teacher, feature: s.teacherFeatures[i] as string }));
    return new MultiTeacherDistillation({
      teachers: inputs.teachers,
      student,
      optimizer: inputs.optimizer,
      aggregation: s.aggregation,
      ...(s.weights.length > 0 ? { weights: s.weights } : {}),
      ...(s.responseTeachers.length > 0 ? { responseTeachers: s.responseTeachers } : {}),
      temperature: s.temperature,
      alpha: s.alpha,
      beta: s.beta,
      ...(featureSpecs.length > 0
        ? { features: { studentFeature: s.studentFeature, teachers: featureSpecs, weighting: s.featureWeighting, activation: s.regressorActivation } }
        : {}),
      cacheTeacherOutputs: s.cacheTeacherOutputs,
    });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/multi-teacher',
  schemes: [multiTeacherSchemeDefinition as unknown as SchemeDefinition],
};
