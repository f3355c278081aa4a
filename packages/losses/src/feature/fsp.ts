import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireNonNegative } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireRank, requireSameBatch, setupShape, shapeText } from './features.js';
import type { FeatureSide } from './features.js';
import { poolingFactor, poolTo, smallerSpatial } from './pool.js';
import { yim2017 } from './references.js';
import { resolveTapPairs } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type FspOptions = {
  /** at least two NHWC taps per network; an FSP matrix is taken between each consecutive pair */
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** multiplies the term; 50 is RepDistiller's weight for FSP (`-b 50`) */
  readonly beta: number;
};

export const FSP_DEFAULTS: FspOptions = { studentFeatures: ['conv1', 'conv2'], teacherFeatures: ['conv1', 'conv2'], beta: 50 };

export interface FspLoss extends KnowledgeLoss {
  readonly options: FspOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { fsp: tf.Scalar };
}

function resolveFspOptions(options: Partial<FspOptions>): FspOptions {
  rejectUnknownOptions('fsp', options, Object.keys(FSP_DEFAULTS));
  const merged = { ...FSP_DEFAULTS, ...options };
  const taps = resolveTapPairs('fsp', merged.studentFeatures, merged.teacherFeatures, 2);
  return {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    beta: requireNonNegative('fsp', 'beta', merged.beta, 'use a weight >= 0; RepDistiller uses 50'),
  };
}

/**
 * The FSP ("flow of solution procedure") matrix between two NHWC maps of one network:
 * G[b, i, j] = (1 / (h w)) sum_{s,t} F1[b, s, t, i] F2[b, s, t, j]  ->  [batch, C1, C2].
 * If the two maps differ in resolution by an integer factor the larger is average-pooled first
 * (RepDistiller's compute_fsp does the same with adaptive_avg_pool2d).
 */
export function fspMatrix(first: tf.Tensor, second: tf.Tensor, loss = 'fsp'): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = smallerSpatial(first.shape.slice(1), second.shape.slice(1));
    const a = poolTo(first, h, w, loss);
    const b = poolTo(second, h, w, loss);
    const batch = a.shape[0] as number;
    const rowsA = tf.reshape(a, [batch, h * w, a.shape[3] as number]) as tf.Tensor3D;
    const rowsB = tf.reshape(b, [batch, h * w, b.shape[3] as number]) as tf.Tensor3D;
    return tf.div(tf.matMul(rowsA, rowsB, true, false), h * w) as tf.Tensor3D;
  });
}

/**
 * FSP / Gram-matrix flow (Yim et al. 2017): the student learns the teacher's FSP matrices between
 * consecutive tapped layers. Per consecutive pair the term is mean_{b,i,j} (G_S - G_T)^2, RepDistiller's
 * FSP.compute_loss (`(s - t).pow(2).mean()`); the paper's (1/N) sum_x ||G_T - G_S||_2^2 sums over the
 * matrix entries instead, a constant factor C1 * C2 apart. Summed over pairs, times `beta`. Layer i of
 * the student must have as many channels as layer i of the teacher (the matrices are compared entry
 * by entry); student and teacher resolutions may differ.
 */
export function fspLoss(options: Partial<FspOptions> = {}): FspLoss {
  const resolved = resolveFspOptions(options);
  const name = 'fsp';

  const checkChain = (setup: LossSetup, side: FeatureSide, taps: readonly string[], hint: string): Array<readonly number[]> => {
    const shapes = taps.map((tap) => {
      const shape = setupShape(setup, side, tap);
      requireRank(name, side, tap, shape, [3], hint);
      return shape;
    });
    for (let i = 0; i + 1 < shapes.length; i++) {
      const [a, b] = [shapes[i] as readonly number[], shapes[i + 1] as readonly number[]];
      const target = smallerSpatial(a, b);
      if (poolingFactor(a, target) === undefined || poolingFactor(b, target) === undefined) {
        throw new ConfigError(`fsp: ${side} taps "${taps[i]}" ${shapeText(a)} and "${taps[i + 1]}" ${shapeText(b)} have incompatible spatial sizes`, hint);
      }
    }
    return shapes;
  };

  const loss: FspLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      const hint = 'FSP needs NHWC maps; consecutive taps of one network must have equal spatial sizes or sizes that differ by an integer factor';
      const student = checkChain(setup, 'student', resolved.studentFeatures, hint);
      const teacher = checkChain(setup, 'teacher', resolved.teacherFeatures, hint);
      student.forEach((s, i) => {
        const t = teacher[i] as readonly number[];
        if (s[2] !== t[2]) {
          throw new ConfigError(
            `fsp: student "${resolved.studentFeatures[i]}" has ${s[2]} channels but teacher "${resolved.teacherFeatures[i]}" has ${t[2]}`,
            'FSP matrices are compared entry by entry: pair layers with equal channel counts',
          );
        }
      });
    },
    compute(context: StepContext) {
      const fsp = tf.tidy((): tf.Scalar => {
        const read = (side: FeatureSide, taps: readonly string[]) => taps.map((tap) => readFeature(context, side, tap, name));
        const student = read('student', resolved.studentFeatures);
        const teacher = read('teacher', resolved.teacherFeatures);
        requireSameBatch(name, student[0] as tf.Tensor, teacher[0] as tf.Tensor);
        let total: tf.Scalar = tf.scalar(0);
        for (let i = 0; i + 1 < student.length; i++) {
          const gS = fspMatrix(student[i] as tf.Tensor, student[i + 1] as tf.Tensor, name);
          const gT = fspMatrix(teacher[i] as tf.Tensor, teacher[i + 1] as tf.Tensor, name);
          if (gS.shape[1] !== gT.shape[1] || gS.shape[2] !== gT.shape[2]) {
            throw new ConfigError(`fsp: FSP matrices of pair ${i} differ in shape (${shapeText(gS.shape)} vs ${shapeText(gT.shape)})`, 'pair layers with equal channel counts');
          }
          total = tf.add(total, tf.mean(tf.square(tf.sub(gS, gT))));
        }
        return tf.mul(total, resolved.beta);
      });
      return { fsp };
    },
  };
  return loss;
}

export const fspDefinition: LossDefinition<FspOptions> = {
  kind: 'loss',
  name: 'fsp',
  summary: 'FSP / Gram-matrix flow: L2 between the student and teacher FSP matrices of consecutive layers',
  // inter-layer relations: Gou et al.'s survey (IJCV 2021) files FSP under relation-based knowledge
  knowledge: 'relation',
  reference: yim2017,
  defaults: FSP_DEFAULTS,
  create: (options) => fspLoss(options),
};
