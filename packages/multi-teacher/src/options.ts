import type * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, OptimizerSpec, Student, Teacher } from '@distillery/core';

/**
 * How the response (logit) knowledge of several teachers becomes one distillation term.
 * - 'mean-logits': KD towards softmax(mean_k z_k / T), the normalised *geometric* mean of the tempered
 *   teacher distributions (a log-linear pool).
 * - 'mean-kl': mean_k KL(p_k || p_s); its student gradient is that of KD towards the *arithmetic* mixture
 *   mean_k p_k, and its value exceeds KL(mixture || p_s) by the teachers' generalised Jensen-Shannon divergence.
 * - 'weights': sum_k w_k KL(p_k || p_s) with fixed weights (non-negative, summing to 1).
 * - 'random': KL(p_k || p_s) for one teacher k per iteration, drawn from a seeded generator.
 * - 'ca-mkd': sum_k w_k(x) KL(p_k || p_s) with per-sample confidence weights
 *   w_k = (1 - softmax_k(CE_k(y))) / (K - 1) (Zhang, Chen, Wang, ICASSP 2022).
 */
export type Aggregation = 'mean-logits' | 'mean-kl' | 'weights' | 'random' | 'ca-mkd';
export const AGGREGATIONS: readonly Aggregation[] = ['mean-logits', 'mean-kl', 'weights', 'random', 'ca-mkd'];

/** How several feature teachers' L2 terms are combined. */
export type FeatureWeighting = 'mean' | 'confidence';
export const FEATURE_WEIGHTINGS: readonly FeatureWeighting[] = ['mean', 'confidence'];

/** Non-linearity after the student-to-teacher feature regressor (CA-MKD's embed ends in a ReLU). */
export type RegressorActivation = 'relu' | 'linear';
export const REGRESSOR_ACTIVATIONS: readonly RegressorActivation[] = ['relu', 'linear'];

/** One teacher whose intermediate features the student learns. Give either `feature` or `loss`. */
export interface FeatureTeacherSpec {
  /** index into `teachers`; the teacher must be white-box */
  readonly teacher: number;
  /** the teacher's feature tap; the built-in loss regresses the student's tap onto it and takes a per-sample L2 */
  readonly feature?: string;
  /**
   * The rest of the teacher after `feature` (e.g. its classifier head), mapping a feature batch to logits.
   * With 'confidence' weighting, CA-MKD scores the *regressed student features* with it:
   * CE(head(r(h_s)), y). Without it the teacher's own logits are scored instead.
   */
  readonly head?: (features: tf.Tensor) => tf.Tensor2D;
  /** a custom feature loss run with this teacher as `context.teacher` (instead of `feature`) */
  readonly loss?: KnowledgeLoss;
}

export interface FeatureDistillationOptions {
  /** the student's feature tap for the built-in regressed L2 */
  readonly studentFeature?: string;
  readonly teachers: readonly FeatureTeacherSpec[];
  /** 'mean' (default): mean over teachers; 'confidence': CA-MKD's per-sample confidence weights */
  readonly weighting?: FeatureWeighting;
  /** default 'relu' */
  readonly activation?: RegressorActivation;
}

export interface MultiTeacherOptions {
  /** frozen teachers (white- or black-box, any architectures), all with the dataset's class count */
  readonly teachers: readonly Teacher[];
  readonly student: Student;
  /** default 'mean-kl' */
  readonly aggregation?: Aggregation;
  /** indices of the teachers that give response knowledge; default all of them */
  readonly responseTeachers?: readonly number[];
  /** 'weights' only: one weight per response teacher, each >= 0, summing to 1 */
  readonly weights?: readonly number[];
  /** softmax temperature of the response term; default 4 */
  readonly temperature?: number;
  /** total = (1 - alpha) * CE + alpha * KD + beta * feature. alpha in [0, 1], default 0.9 */
  readonly alpha?: number;
  /** weight of the feature term, >= 0; default 1 (ignored without `features`) */
  readonly beta?: number;
  /** feature knowledge from one or more white-box teachers (CA-MKD's intermediate part, mixed knowledge) */
  readonly features?: FeatureDistillationOptions;
  readonly optimizer: OptimizerSpec;
  /** seeds the 'random' teacher draws and the regressor initialisation; default the trainer's seed */
  readonly seed?: number;
  /** reuse response-only teachers' logits by sample index on un-augmented batches; default true */
  readonly cacheTeacherOutputs?: boolean;
}

export const MULTI_TEACHER_DEFAULTS = {
  aggregation: 'mean-kl' as Aggregation,
  temperature: 4,
  alpha: 0.9,
  beta: 1,
  weighting: 'mean' as FeatureWeighting,
  activation: 'relu' as RegressorActivation,
  cacheTeacherOutputs: true,
};
