import * as tf from '@tensorflow/tfjs';
import { MissingFeatureError, type LossSetup, type ModelOutputs, type StepContext, type Teacher } from '@distillery/core';
import { checkLossRequirements, stopGradient } from '@distillery/losses';
import { mixSeed } from '@distillery/data';
import { confidenceWeights, teacherCrossEntropies } from './divergences.js';
import { createRegressor, type FeatureRegressor } from './feature-regressor.js';
import type { FeatureTeacherSpec } from './options.js';
import type { ResolvedFeatures } from './validate.js';

export interface FeatureSetup {
  readonly numClasses: number;
  readonly datasetSize: number;
  readonly seed: number;
  readonly studentShapes: Readonly<Record<string, readonly number[]>>;
  /** per-sample feature shapes of each feature teacher, by teacher index */
  readonly teacherShapes: ReadonlyMap<number, Readonly<Record<string, readonly number[]>>>;
}

/** What the feature term reads in one step; the student outputs come from inside the gradient tape. */
export interface FeatureStep {
  readonly student: ModelOutputs;
  /** constant outputs of every feature teacher, by teacher index */
  readonly teachers: ReadonlyMap<number, ModelOutputs>;
  readonly base: Omit<StepContext, 'student' | 'teacher'>;
}

/** per-sample mean squared error over every non-batch axis: [batch] */
function rowMse(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  const axes = Array.from({ length: a.rank - 1 }, (_, i) => i + 1);
  return tf.mean(tf.square(tf.sub(a, b)), axes) as tf.Tensor1D;
}

/**
 * Feature knowledge from one or more white-box teachers. Built-in: each teacher j gets a regressor r_j
 * from the student's tap to its own tap, and the per-sample L2 d_j = mean((r_j(h_s) - h_j)^2) (CA-MKD's
 * intermediate loss). 'mean' averages d_j over teachers; 'confidence' weights them per sample with
 * w_j = (1 - softmax_j(CE_j)) / (J - 1), CE_j = CE(head_j(r_j(h_s)), y) when a head is given (the paper's
 * form: how well the teacher's own classifier reads the student's regressed features), else the
 * teacher's own cross-entropy. The weights are treated as constants (the official code lets gradients
 * flow through them; the paper defines them as weights).
 */
export class FeatureKnowledge {
  private regressors = new Map<number, FeatureRegressor>();

  constructor(
    private readonly config: ResolvedFeatures,
    private readonly teachers: readonly Teacher[],
  ) {}

  /** indices of the teachers whose features are needed each step */
  teacherIndices(): number[] {
    return this.config.teachers.map((spec) => spec.teacher);
  }

  prepare(setup: FeatureSetup): void {
    this.disposeRegressors();
    for (const spec of this.config.teachers) {
      const teacher = this.teachers[spec.teacher] as Teacher;
      const teacherShapes = setup.teacherShapes.get(spec.teacher) ?? {};
      if (spec.loss) {
        const lossSetup: LossSetup = {
          numClasses: setup.numClasses,
          datasetSize: setup.datasetSize,
          teacherAccess: teacher.access,
          studentFeatureShapes: setup.studentShapes,
          teacherFeatureShapes: teacherShapes,
          seed: setup.seed,
        };
        checkLossRequirements(spec.loss, lossSetup);
        spec.loss.prepare?.(lossSetup);
        continue;
      }
      const studentTap = this.config.studentFeature as string;
      const studentShape = setup.studentShapes[studentTap];
      if (!studentShape) throw new MissingFeatureError('the student', studentTap, Object.keys(setup.studentShapes));
      const teacherShape = teacherShapes[spec.feature as string];
      if (!teacherShape) throw new MissingFeatureError(`teacher "${teacher.name}"`, spec.feature as string, Object.keys(teacherShapes));
      this.regressors.set(spec.teacher, createRegressor(studentShape, teacherShape, { seed: mixSeed(setup.seed, spec.teacher), activation: this.config.activation }));
    }
  }

  /** the feature term (call inside the gradient closure) */
  compute(step: FeatureStep): tf.Scalar {
    const perTeacher: tf.Tensor1D[] = [];
    const confidences: tf.Tensor1D[] = [];
    const scalars: tf.Scalar[] = [];
    for (const spec of this.config.teachers) {
      const outputs = step.teachers.get(spec.teacher) as ModelOutputs;
      if (spec.loss) {
        scalars.push(this.customLoss(spec, step, outputs));
        continue;
      }
      const regressed = (this.regressors.get(spec.teacher) as FeatureRegressor).apply(step.student.features[this.config.studentFeature as string] as tf.Tensor);
      perTeacher.push(rowMse(regressed, outputs.features[spec.feature as string] as tf.Tensor));
      if (this.config.weighting === 'confidence') {
        const scored = spec.head ? stopGradient(spec.head(regressed)) : outputs.logits;
        confidences.push(tf.squeeze(teacherCrossEntropies([scored], step.base.labels), [1]) as tf.Tensor1D);
      }
    }
    if (this.config.weighting === 'confidence') {
      const weights = confidenceWeights(tf.stack(confidences, 1) as tf.Tensor2D);
      return tf.mean(tf.sum(tf.mul(weights, tf.stack(perTeacher, 1)), 1)) as tf.Scalar;
    }
    const terms = [...perTeacher.map((d) => tf.mean(d) as tf.Scalar), ...scalars];
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  }

  variables(): Record<string, tf.Variable> {
    const result: Record<string, tf.Variable> = {};
    for (const spec of this.config.teachers) {
      const owner = `feature/${spec.teacher}-${spec.loss ? spec.loss.name : (this.teachers[spec.teacher] as Teacher).name}`;
      const owned = spec.loss ? (spec.loss.variables?.() ?? {}) : (this.regressors.get(spec.teacher)?.variables() ?? {});
      for (const [name, variable] of Object.entries(owned)) result[`${owner}/${name}`] = variable;
    }
    return result;
  }

  dispose(): void {
    this.disposeRegressors();
    for (const spec of this.config.teachers) spec.loss?.dispose?.();
  }

  private customLoss(spec: FeatureTeacherSpec, step: FeatureStep, outputs: ModelOutputs): tf.Scalar {
    const loss = spec.loss as NonNullable<FeatureTeacherSpec['loss']>;
    const context: StepContext = { ...step.base, student: step.student, teacher: outputs };
    const terms = Object.values(loss.compute(context));
    loss.afterStep?.(context);
    return tf.addN(terms) as tf.Scalar;
  }

  private disposeRegressors(): void {
    for (const regressor of this.regressors.values()) regressor.dispose();
    this.regressors.clear();
  }
}
