import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireInRange, requireNonNegative } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { checkLossRequirements } from '../requirements.js';
import { readFeature, requireRank, requireSameBatch, setupShape, shapeText } from './features.js';
import { flattenSamples, l2Normalize } from './normalize.js';
import { poolingFactor, poolTo, smallerSpatial } from './pool.js';
import { zagoruyko2017 } from './references.js';
import { resolveTapPairs } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type AttentionOptions = {
  /** NHWC taps, paired by position; channel counts may differ */
  readonly studentFeatures: readonly string[];
  readonly teacherFeatures: readonly string[];
  /** the attention map is mean_c |a_c|^p; the paper and RepDistiller use p = 2 */
  readonly p: number;
  /** multiplies the term; 1000 as in RepDistiller (`-b 1000`) and the paper's beta = 1e3 */
  readonly beta: number;
};

export const ATTENTION_DEFAULTS: AttentionOptions = { studentFeatures: ['conv2'], teacherFeatures: ['conv2'], p: 2, beta: 1000 };

export interface AttentionLoss extends KnowledgeLoss {
  readonly options: AttentionOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { at: tf.Scalar };
}

function resolveAttentionOptions(options: Partial<AttentionOptions>): AttentionOptions {
  rejectUnknownOptions('at', options, Object.keys(ATTENTION_DEFAULTS));
  const merged = { ...ATTENTION_DEFAULTS, ...options };
  const taps = resolveTapPairs('at', merged.studentFeatures, merged.teacherFeatures);
  return {
    studentFeatures: taps.student,
    teacherFeatures: taps.teacher,
    // p < 1 has an infinite gradient at 0, which ReLU maps are full of
    p: requireInRange('at', 'p', merged.p, 1, 8, 'use p = 2 as in the paper'),
    beta: requireNonNegative('at', 'beta', merged.beta, 'use a weight >= 0; RepDistiller uses 1000'),
  };
}

/** Spatial attention map of an NHWC batch: mean over channels of |a|^p, flattened, L2-normalised. */
export function attentionMap(features: tf.Tensor, p: number): tf.Tensor2D {
  return tf.tidy(() => {
    const powered = p === 2 ? tf.square(features) : tf.pow(tf.abs(features), p);
    return l2Normalize(flattenSamples(tf.mean(powered, -1))) as tf.Tensor2D;
  });
}

/**
 * Activation-based attention transfer (Zagoruyko & Komodakis 2017). For each tap pair,
 * Q = vec(mean_c |A_c|^p) / ||vec(mean_c |A_c|^p)||_2 for student and teacher, and the term is
 * beta * sum_pairs mean_{batch, positions} (Q_S - Q_T)^2 - RepDistiller's Attention.at_loss
 * (`(at(f_s) - at(f_t)).pow(2).mean()`, with `at(f) = F.normalize(f.pow(p).mean(1).view(B, -1))`) times
 * its beta = 1000. The paper writes beta/2 * ||Q_S - Q_T||_2 (a norm, not squared); its official code
 * (szagoruyko/attention-transfer, `(at(x) - at(y)).pow(2).mean()`) and RepDistiller use the mean squared
 * difference, which is what is computed here. Where the maps differ in resolution by an integer factor, the larger feature map is
 * average-pooled first, as RepDistiller does with adaptive_avg_pool2d. Invariant to scaling either
 * network's features; channel counts need not match.
 */
export function attentionLoss(options: Partial<AttentionOptions> = {}): AttentionLoss {
  const resolved = resolveAttentionOptions(options);
  const name = 'at';
  const pairs = resolved.studentFeatures.map((student, i) => ({ student, teacher: resolved.teacherFeatures[i] as string }));

  const loss: AttentionLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: resolved.studentFeatures, teacherFeatures: resolved.teacherFeatures },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      const hint = 'attention transfer needs NHWC feature maps of equal spatial size or sizes that differ by an integer factor';
      for (const pair of pairs) {
        const s = setupShape(setup, 'student', pair.student);
        const t = setupShape(setup, 'teacher', pair.teacher);
        requireRank(name, 'student', pair.student, s, [3], hint);
        requireRank(name, 'teacher', pair.teacher, t, [3], hint);
        const target = smallerSpatial(s, t);
        if (poolingFactor(s, target) === undefined || poolingFactor(t, target) === undefined) {
          throw new ConfigError(`at: student "${pair.student}" ${shapeText(s)} and teacher "${pair.teacher}" ${shapeText(t)} have incompatible spatial sizes`, hint);
        }
      }
    },
    compute(context: StepContext) {
      const at = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        for (const pair of pairs) {
          const s = readFeature(context, 'student', pair.student, name);
          const t = readFeature(context, 'teacher', pair.teacher, name);
          requireSameBatch(name, s, t);
          if (s.rank !== 4 || t.rank !== 4) {
            throw new ConfigError(`at: taps "${pair.student}" / "${pair.teacher}" must be NHWC maps, got ranks ${s.rank} and ${t.rank}`, 'tap convolutional layers');
          }
          const [h, w] = smallerSpatial(s.shape.slice(1), t.shape.slice(1));
          const qS = attentionMap(poolTo(s, h, w, name), resolved.p);
          const qT = attentionMap(poolTo(t, h, w, name), resolved.p);
          total = tf.add(total, tf.mean(tf.square(tf.sub(qS, qT))));
        }
        return tf.mul(total, resolved.beta);
      });
      return { at };
    },
  };
  return loss;
}

export const attentionDefinition: LossDefinition<AttentionOptions> = {
  kind: 'loss',
  name: 'at',
  summary: 'Attention transfer: L2 distance between L2-normalised spatial attention maps (mean over channels of |a|^p)',
  knowledge: 'feature',
  reference: zagoruyko2017,
  defaults: ATTENTION_DEFAULTS,
  create: (options) => attentionLoss(options),
};
