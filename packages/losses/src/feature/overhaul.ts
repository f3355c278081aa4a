import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireNonNegative, requirePositiveInteger } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { detached } from './detached.js';
import { readFeature, requireRank, requireSameBatch, setupShape, shapeText } from './features.js';
import { requireFiniteNumberList } from './options.js';
import { MarginState } from './overhaul-state.js';
import { poolingFactor, poolTo } from './pool.js';
import { Projection } from './projection.js';
import { heo2019 } from './references.js';
import { requirePrepared, resolveTapPairs } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type OverhaulOptions = {
  /** pre-ReLU taps, paired by position, shallow to deep (deeper pairs weigh more) */
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /**
   * [] (default): estimate each teacher channel's margin from its features; [v]: v for every channel;
   * otherwise one margin per teacher channel, the pairs' channels concatenated in order
   */
  readonly margin: readonly number[];
  /** teacher batches the estimated margins are averaged over (the first ones seen) */
  readonly marginBatches: number;
  /** multiplies the term; 1e-3 is the official CIFAR code's `loss_distill.sum() / batch_size / 1000` */
  readonly beta: number;
};

export const OVERHAUL_DEFAULTS: OverhaulOptions = { studentFeatures: ['conv2'], teacherFeatures: ['conv2'], margin: [], marginBatches: 1, beta: 1e-3 };

export interface OverhaulLoss extends KnowledgeLoss {
  readonly options: OverhaulOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { overhaul: tf.Scalar };
  afterStep(context: StepContext): void;
  variables(): Record<string, tf.Variable>;
  dispose(): void;
  /**
   * Non-trainable state (per pair: margin, running mean, M2 and count of the teacher statistics, plus
   * the number of batches accumulated); core's KnowledgeLoss has no slot for it, so a checkpoint of
   * `variables()` alone re-estimates the margins after a resume.
   */
  state(): Record<string, tf.Variable>;
}

function resolveOverhaulOptions(options: Partial<OverhaulOptions>): OverhaulOptions {
  rejectUnknownOptions('overhaul', options, Object.keys(OVERHAUL_DEFAULTS));
  const merged = { ...OVERHAUL_DEFAULTS, ...options };
  const taps = resolveTapPairs('overhaul', merged.studentFeatures, merged.teacherFeatures);
  return {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    margin: requireFiniteNumberList('overhaul', 'margin', merged.margin, 'pass [] to estimate margins from the teacher, one number, or one per teacher channel'),
    marginBatches: requirePositiveInteger('overhaul', 'marginBatches', merged.marginBatches, 'estimate the margins from 1 or more batches'),
    beta: requireNonNegative('overhaul', 'beta', merged.beta, 'use a weight >= 0; the official CIFAR code divides by 1000'),
  };
}

/**
 * Partial L2 with margin ReLU (Heo et al., ICCV 2019, eq. 3-5), elementwise with t = max(teacher, margin):
 *   (s - t)^2 where t > 0 or s > t, else 0   ==   relu(s - t)^2 + [t > 0] relu(t - s)^2.
 * The official distillation_loss writes it with a mask `(source > target) | (target > 0)`; the relu form
 * gives the same values and needs no comparison on the student side, so it is differentiable in tfjs.
 */
export function partialL2(student: tf.Tensor, teacher: tf.Tensor, margin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // broadcast explicitly: tfjs's Maximum gradient does not reduce broadcast axes, which matters when
    // the teacher (and so the margin estimated from it) is on the tape in an online scheme
    const target = tf.maximum(teacher, tf.broadcastTo(margin, teacher.shape));
    const positive = detached(target, (t) => tf.cast(tf.greater(t, 0), 'float32'));
    return tf.add(tf.square(tf.relu(tf.sub(student, target))), tf.mul(positive, tf.square(tf.relu(tf.sub(target, student)))));
  });
}

/**
 * "A Comprehensive Overhaul of Feature Distillation" (Heo et al., ICCV 2019). Per pair i of n, the student's
 * pre-ReLU feature goes through a connector r and is compared with the teacher's pre-ReLU feature by the
 * partial L2 above, summed over elements and averaged over the batch, weighted 1 / 2^(n-1-i) (the official
 * Distiller.forward), then summed and multiplied by `beta`.
 *
 * Deviations, on purpose:
 * - Margins. The paper derives them from the teacher's batch-norm (beta, |gamma|) before the ReLU. Models
 *   here expose features, not BN parameters, so by default each teacher channel's mean and standard deviation
 *   are measured on the teacher features as tapped (population statistics over batch and positions, before
 *   any pooling) from the first `marginBatches` batches (merged as running moments in afterStep; the first
 *   step uses its own batch), and the same formula is applied. Or pass `margin` explicitly. Tap the teacher
 *   before its ReLU, as the paper does; post-ReLU taps make the Gaussian model meaningless.
 * - Connector. The paper's connector is a 1x1 conv + BN; here it is a 1x1 conv (a dense layer for vectors)
 *   with a bias standing in for BN's shift and no batch statistics, He-normal initialised like the official
 *   code (std sqrt(2 / out)). A teacher map larger than the student's by an integer factor is average-pooled
 *   to the student's size (mdistiller's OFD does this with adaptive_avg_pool2d).
 */
export function overhaulLoss(options: Partial<OverhaulOptions> = {}): OverhaulLoss {
  const resolved = resolveOverhaulOptions(options);
  const name = 'overhaul';
  const pairs = resolved.studentFeatures.map((student, i) => ({ student, teacher: resolved.teacherFeatures[i] as string }));
  let connectors: Projection[] = [];
  let margins: MarginState[] = [];
  let seen: tf.Variable | undefined;
  let shapes: Array<{ student: readonly number[]; teacher: readonly number[] }> = [];

  const release = (): void => {
    connectors.forEach((c) => c.dispose());
    margins.forEach((m) => m.dispose());
    seen?.dispose();
    connectors = [];
    margins = [];
    seen = undefined;
  };

  const explicitMargins = (channels: readonly number[]): Array<Float32Array | undefined> => {
    const given = resolved.margin;
    const total = channels.reduce((a, b) => a + b, 0);
    if (given.length === 0) return channels.map(() => undefined);
    if (given.length === 1) return channels.map((c) => new Float32Array(c).fill(given[0] as number));
    if (given.length !== total) {
      throw new ConfigError(
        `overhaul: margin lists ${given.length} values but the teacher taps have ${total} channels (${channels.join(' + ')})`,
        'pass [] to estimate the margins, a single value, or one value per teacher channel in tap order',
      );
    }
    let offset = 0;
    return channels.map((c) => {
      const slice = Float32Array.from(given.slice(offset, offset + c));
      offset += c;
      return slice;
    });
  };

  /** the teacher feature of pair i as tapped (margin statistics) and pooled to the student's resolution */
  const teacherFeature = (context: StepContext, i: number): { raw: tf.Tensor; pooled: tf.Tensor } => {
    const pair = pairs[i] as { student: string; teacher: string };
    const shape = shapes[i] as { student: readonly number[]; teacher: readonly number[] };
    const raw = readFeature(context, 'teacher', pair.teacher, name, shape.teacher);
    return { raw, pooled: raw.rank === 4 ? poolTo(raw, shape.student[0] as number, shape.student[1] as number, name) : raw };
  };

  const loss: OverhaulLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      const hint = 'overhaul pairs vectors with vectors, or NHWC maps where the teacher is as large as the student or an integer factor larger';
      const nextShapes = pairs.map((pair) => {
        const s = setupShape(setup, 'student', pair.student);
        const t = setupShape(setup, 'teacher', pair.teacher);
        requireRank(name, 'student', pair.student, s, [1, 3], hint);
        requireRank(name, 'teacher', pair.teacher, t, [1, 3], hint);
        if (s.length !== t.length || (s.length === 3 && poolingFactor(t, s) === undefined)) {
          throw new ConfigError(`overhaul: student "${pair.student}" ${shapeText(s)} cannot be matched to teacher "${pair.teacher}" ${shapeText(t)}`, hint);
        }
        return { student: s, teacher: t };
      });
      const channels = nextShapes.map((s) => s.teacher[s.teacher.length - 1] as number);
      const explicit = explicitMargins(channels);
      release();
      shapes = nextShapes;
      connectors = shapes.map((shape, i) =>
        Projection.create(shape.student[shape.student.length - 1] as number, channels[i] as number, 'he-normal-out', setup.seed, `overhaul/connector${i}`),
      );
      margins = channels.map((c, i) => new MarginState(c, explicit[i]));
      // explicit margins count as fully accumulated, so nothing ever re-estimates them
      seen = tf.tidy(() => tf.variable(tf.scalar(resolved.margin.length > 0 ? resolved.marginBatches : 0), false));
    },
    compute(context: StepContext) {
      requirePrepared(name, seen !== undefined);
      const counter = seen as tf.Variable;
      const overhaul = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        pairs.forEach((pair, i) => {
          const s = readFeature(context, 'student', pair.student, name, shapes[i]?.student);
          const t = teacherFeature(context, i);
          const batch = requireSameBatch(name, s, t.raw);
          const state = margins[i] as MarginState;
          // statistics of the feature as tapped, like the paper's BN parameters of that layer
          const margin = detached(t.raw, (constant) => state.current(constant, counter));
          const distance = tf.div(tf.sum(partialL2((connectors[i] as Projection).apply(s), t.pooled, margin)), batch);
          total = tf.add(total, tf.div(distance, 2 ** (pairs.length - 1 - i)));
        });
        return tf.mul(total, resolved.beta);
      });
      return { overhaul };
    },
    afterStep(context: StepContext): void {
      if (!seen) return;
      const counter = seen;
      tf.tidy(() => {
        const take = tf.cast(tf.less(counter, resolved.marginBatches), 'float32') as tf.Scalar;
        pairs.forEach((_, i) => (margins[i] as MarginState).accumulate(teacherFeature(context, i).raw, take));
        counter.assign(tf.add(counter, take));
      });
    },
    variables() {
      const out: Record<string, tf.Variable> = {};
      connectors.forEach((c, i) => Object.assign(out, c.variables(`connector${i}`)));
      return out;
    },
    state() {
      const out: Record<string, tf.Variable> = {};
      margins.forEach((m, i) => Object.assign(out, m.variables(`pair${i}`)));
      if (seen) out['marginBatchesSeen'] = seen;
      return out;
    },
    dispose(): void {
      release();
    },
  };
  return loss;
}

export const overhaulDefinition: LossDefinition<OverhaulOptions> = {
  kind: 'loss',
  name: 'overhaul',
  summary: 'Overhaul of feature distillation: partial L2 between connector(student) and margin-ReLU(teacher) pre-ReLU features',
  knowledge: 'feature',
  reference: heo2019,
  defaults: OVERHAUL_DEFAULTS,
  create: (options) => overhaulLoss(options),
};
