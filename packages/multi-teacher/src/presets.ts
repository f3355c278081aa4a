import type * as tf from '@tensorflow/tfjs';
import { ConfigError, type KnowledgeLoss, type OptimizerSpec, type Student, type Teacher } from '@distillery/core';
import { MultiTeacherDistillation } from './multi-teacher-scheme.js';
import type { FeatureTeacherSpec, RegressorActivation } from './options.js';

export interface CaMkdOptions {
  readonly teachers: readonly Teacher[];
  readonly student: Student;
  readonly optimizer: OptimizerSpec;
  /** default 4 (the official code's kd_T) */
  readonly temperature?: number;
  /** default 0.5: with beta 25 this is the paper's 1 * CE + 1 * KD + 50 * inter, halved */
  readonly alpha?: number;
  /** default 25 (see alpha) */
  readonly beta?: number;
  /** CA-MKD's intermediate part; omit for the response part alone */
  readonly features?: {
    /** the student's tap (the paper uses the penultimate stage) */
    readonly studentFeature: string;
    /** one tap per teacher, aligned with `teachers` */
    readonly teacherFeatures: readonly string[];
    /** optional per-teacher classifier heads after the tap (see FeatureTeacherSpec.head) */
    readonly heads?: readonly ((features: tf.Tensor) => tf.Tensor2D)[];
    readonly activation?: RegressorActivation;
  };
  readonly seed?: number;
  readonly cacheTeacherOutputs?: boolean;
}

/**
 * Confidence-aware multi-teacher KD (Zhang, Chen, Wang, ICASSP 2022): per-sample teacher weights
 * w_k = (1 - softmax_k(CE_k)) / (K - 1) on the KL terms and, with `features`, on per-teacher regressed
 * feature L2 terms. Needs at least two teachers.
 */
export function caMkd(options: CaMkdOptions): MultiTeacherDistillation {
  const { features } = options;
  if (features && features.teacherFeatures.length !== options.teachers.length) {
    throw new ConfigError(`got ${features.teacherFeatures.length} teacher feature taps for ${options.teachers.length} teachers`, 'give one tap per teacher, in the same order');
  }
  if (features?.heads && features.heads.length !== options.teachers.length) {
    throw new ConfigError(`got ${features.heads.length} heads for ${options.teachers.length} teachers`, 'give one head per teacher, or none');
  }
  return new MultiTeacherDistillation({
    teachers: options.teachers,
    student: options.student,
    optimizer: options.optimizer,
    aggregation: 'ca-mkd',
    temperature: options.temperature ?? 4,
    alpha: options.alpha ?? 0.5,
    beta: options.beta ?? 25,
    ...(features
      ? {
          features: {
            studentFeature: features.studentFeature,
            weighting: 'confidence' as const,
            ...(features.activation ? { activation: features.activation } : {}),
            teachers: features.teacherFeatures.map((feature, teacher): FeatureTeacherSpec => {
              const head = features.heads?.[teacher];
              return head ? { teacher, feature, head } : { teacher, feature };
            }),
          },
        }
      : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.cacheTeacherOutputs === undefined ? {} : { cacheTeacherOutputs: options.cacheTeacherOutputs }),
  });
}

export interface MixedKnowledgeOptions {
  /** gives soft targets (white- or black-box) */
  readonly responseTeacher: Teacher;
  /** gives intermediate features (white-box) */
  readonly featureTeacher: Teacher;
  readonly student: Student;
  readonly optimizer: OptimizerSpec;
  /** built-in regressed L2: the student's tap ... */
  readonly studentFeature?: string;
  /** ... regressed onto this tap of the feature teacher */
  readonly teacherFeature?: string;
  /** or any feature loss (FitNets, attention transfer, ...) run with the feature teacher as `context.teacher` */
  readonly featureLoss?: KnowledgeLoss;
  readonly temperature?: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly activation?: RegressorActivation;
  readonly seed?: number;
  readonly cacheTeacherOutputs?: boolean;
}

/**
 * Two-teacher "mixed knowledge": the student matches one teacher's responses (KD) and another's
 * intermediate features at once. The same teacher may fill both roles.
 */
export function mixedKnowledge(options: MixedKnowledgeOptions): MultiTeacherDistillation {
  const same = options.responseTeacher === options.featureTeacher;
  const teachers = same ? [options.responseTeacher] : [options.responseTeacher, options.featureTeacher];
  const featureIndex = same ? 0 : 1;
  if (options.featureLoss && (options.teacherFeature !== undefined || options.studentFeature !== undefined)) {
    throw new ConfigError('give either featureLoss or studentFeature/teacherFeature, not both', 'the feature loss names its own taps');
  }
  const spec: FeatureTeacherSpec = options.featureLoss
    ? { teacher: featureIndex, loss: options.featureLoss }
    : { teacher: featureIndex, ...(options.teacherFeature === undefined ? {} : { feature: options.teacherFeature }) };
  return new MultiTeacherDistillation({
    teachers,
    student: options.student,
    optimizer: options.optimizer,
    aggregation: 'mean-kl',
    responseTeachers: [0],
    features: {
      ...(options.studentFeature === undefined ? {} : { studentFeature: options.studentFeature }),
      teachers: [spec],
      ...(options.activation ? { activation: options.activation } : {}),
    },
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
    ...(options.beta === undefined ? {} : { beta: options.beta }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.cacheTeacherOutputs === undefined ? {} : { cacheTeacherOutputs: options.cacheTeacherOutputs }),
  });
}
