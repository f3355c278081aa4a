import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireChoice, requireNonNegative } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireRank, requireSameBatch, sameShape, setupShape, shapeText } from './features.js';
import { meanSquaredError } from './normalize.js';
import { Projection } from './projection.js';
import { romero2015 } from './references.js';
import { requirePrepared, resolveTapPairs } from './taps.js';

export type FitNetsRegressor = 'auto' | 'always' | 'never';
export const FITNETS_REGRESSORS: readonly FitNetsRegressor[] = ['auto', 'always', 'never'];

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type FitNetsOptions = {
  /** guided layers of the student, paired by position with the teacher's hint layers */
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** 'auto': a learned regressor only where the shapes differ; 'always'; 'never' (shapes must match) */
  readonly regressor: FitNetsRegressor;
  /** multiplies the term; 100 is RepDistiller's weight for FitNets (`-b 100`) */
  readonly beta: number;
};

export const FITNETS_DEFAULTS: FitNetsOptions = { studentFeatures: ['hidden1'], teacherFeatures: ['hidden1'], regressor: 'auto', beta: 100 };

export interface FitNetsLoss extends KnowledgeLoss {
  readonly options: FitNetsOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { fitnets: tf.Scalar };
  variables(): Record<string, tf.Variable>;
  dispose(): void;
}

function resolveFitNetsOptions(options: Partial<FitNetsOptions>): FitNetsOptions {
  rejectUnknownOptions('fitnets', options, Object.keys(FITNETS_DEFAULTS));
  const merged = { ...FITNETS_DEFAULTS, ...options };
  const taps = resolveTapPairs('fitnets', merged.studentFeatures, merged.teacherFeatures);
  return {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    regressor: requireChoice('fitnets', 'regressor', merged.regressor, FITNETS_REGRESSORS),
    beta: requireNonNegative('fitnets', 'beta', merged.beta, 'use a weight >= 0; RepDistiller uses 100'),
  };
}

/**
 * FitNets hints (Romero et al. 2015, stage 1): the student's guided layer, passed through a learned
 * regressor r, should match the teacher's hint layer. Per pair the loss is the mean squared error
 * mean((r(v_S) - u_T)^2) over batch and elements - RepDistiller's HintLoss (nn.MSELoss) on the output of
 * its ConvReg; the paper writes 1/2 ||u_T - r(v_S)||^2, which differs by a constant factor only -
 * summed over pairs and multiplied by `beta`.
 *
 * The regressor is a dense layer for vector taps and a 1x1 convolution for NHWC maps (the paper's
 * convolutional regressor with a 1x1 kernel; RepDistiller's ConvReg adds BN + ReLU, not done here), so
 * maps must have the same spatial size. It is created in prepare (Glorot-uniform, seeded from setup.seed)
 * and trained with the student through `variables()`.
 */
export function fitNetsLoss(options: Partial<FitNetsOptions> = {}): FitNetsLoss {
  const resolved = resolveFitNetsOptions(options);
  const name = 'fitnets';
  const pairs = resolved.studentFeatures.map((student, i) => ({ student, teacher: resolved.teacherFeatures[i] as string }));
  let regressors: Array<Projection | undefined> = [];
  let shapes: Array<{ student: readonly number[]; teacher: readonly number[] }> = [];
  let prepared = false;

  const release = (): void => {
    regressors.forEach((r) => r?.dispose());
    regressors = [];
  };

  const loss: FitNetsLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      const hint = 'FitNets pairs vectors with vectors, or NHWC maps of one spatial size (the regressor is a 1x1 convolution)';
      const nextShapes = pairs.map((pair) => {
        const s = setupShape(setup, 'student', pair.student);
        const t = setupShape(setup, 'teacher', pair.teacher);
        requireRank(name, 'student', pair.student, s, [1, 3], hint);
        requireRank(name, 'teacher', pair.teacher, t, [1, 3], hint);
        if (s.length !== t.length || (s.length === 3 && (s[0] !== t[0] || s[1] !== t[1]))) {
          throw new ConfigError(`fitnets: student "${pair.student}" ${shapeText(s)} cannot be regressed onto teacher "${pair.teacher}" ${shapeText(t)}`, hint);
        }
        if (resolved.regressor === 'never' && !sameShape(s, t)) {
          throw new ConfigError(
            `fitnets: regressor is "never" but student "${pair.student}" ${shapeText(s)} and teacher "${pair.teacher}" ${shapeText(t)} differ`,
            'use regressor "auto" (the default) or pair taps of equal shape',
          );
        }
        return { student: s, teacher: t };
      });
      release();
      shapes = nextShapes;
      regressors = shapes.map((shape, i) => {
        const needed = resolved.regressor === 'always' || (resolved.regressor === 'auto' && !sameShape(shape.student, shape.teacher));
        const inputs = shape.student[shape.student.length - 1] as number;
        const outputs = shape.teacher[shape.teacher.length - 1] as number;
        return needed ? Projection.create(inputs, outputs, 'glorot-uniform', setup.seed, `fitnets/regressor${i}`) : undefined;
      });
      prepared = true;
    },
    compute(context: StepContext) {
      requirePrepared(name, prepared);
      const fitnets = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        pairs.forEach((pair, i) => {
          const s = readFeature(context, 'student', pair.student, name, shapes[i]?.student);
          const t = readFeature(context, 'teacher', pair.teacher, name, shapes[i]?.teacher);
          requireSameBatch(name, s, t);
          const regressor = regressors[i];
          total = tf.add(total, meanSquaredError(regressor ? regressor.apply(s) : s, t));
        });
        return tf.mul(total, resolved.beta);
      });
      return { fitnets };
    },
    variables() {
      const out: Record<string, tf.Variable> = {};
      regressors.forEach((r, i) => {
        if (r) Object.assign(out, r.variables(`regressor${i}`));
      });
      return out;
    },
    dispose(): void {
      release();
      prepared = false;
    },
  };
  return loss;
}

export const fitNetsDefinition: LossDefinition<FitNetsOptions> = {
  kind: 'loss',
  name: 'fitnets',
  summary: "FitNets hints: MSE between the teacher's hint layer and the student's guided layer through a learned regressor",
  knowledge: 'feature',
  reference: romero2015,
  defaults: FITNETS_DEFAULTS,
  create: (options) => fitNetsLoss(options),
};
