import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireBoolean,
  requireChoice,
  requireOpenUnit,
  requirePositive,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { studentLogits } from '../logits.js';
import { checkLossRequirements } from '../requirements.js';
import { yuan2020 } from './references.js';
import { softenedKl } from './softened.js';
import { oneHotLabels } from './targets.js';

/**
 * How the virtual teacher's distribution u is softened by T:
 * 'softmax' - softmax(u / T), u used as if it were logits: the official code (`F.softmax(teacher_soft / T)`);
 * 'power'   - softmax(log u / T) = u^(1/T) renormalised: tempering a distribution, equal to u at T = 1
 *             (what `kd` does with a black-box teacher's probabilities).
 */
export type VirtualTeacherSoftening = 'softmax' | 'power';
export const VIRTUAL_TEACHER_SOFTENINGS: readonly VirtualTeacherSoftening[] = ['softmax', 'power'];

export type TfKdVirtualOptions = {
  /** probability a of the correct class; the other K - 1 classes share 1 - a equally */
  readonly correctProbability: number;
  readonly temperature: number;
  readonly softening: VirtualTeacherSoftening;
  readonly scaleByT2: boolean;
};

export const TF_KD_VIRTUAL_DEFAULTS: TfKdVirtualOptions = { correctProbability: 0.9, temperature: 20, softening: 'softmax', scaleByT2: true };

export interface TfKdVirtualLoss extends KnowledgeLoss {
  readonly options: TfKdVirtualOptions;
}

/**
 * Teacher-free KD with a manually designed virtual teacher (Yuan et al. CVPR 2020, the regulariser
 * of Tf-KD_reg): u_c = a for the label, (1 - a) / (K - 1) otherwise, and
 *
 *   tfKd = [T^2 x] 1/B sum_i KL(p^d_T,i || p_S,T,i),  p^d_T = the softened u, p_S,T = softmax(z / T)
 *
 * - the `kd` computation with the virtual teacher's logits (u or log u, see `softening`). Pair it with
 * `ce` as (1 - alpha) CE + alpha tfKd. Differences from the official code, which are deliberate: the
 * official regulariser compares softmax(u / T) with the student at T = 1 (no softening on the student
 * side), reduces with PyTorch's element-wise mean (1/(B K)) and multiplies by a tuned `multiplier`;
 * here both sides use T, the reduction is the per-sample batch mean, and T^2 plays the multiplier's role.
 */
export function tfKdVirtual(options: Partial<TfKdVirtualOptions> = {}): TfKdVirtualLoss {
  const name = 'tf-kd-virtual';
  rejectUnknownOptions(name, options, Object.keys(TF_KD_VIRTUAL_DEFAULTS));
  const merged = { ...TF_KD_VIRTUAL_DEFAULTS, ...options };
  const resolved: TfKdVirtualOptions = {
    correctProbability: requireOpenUnit(name, 'correctProbability', merged.correctProbability, 'the paper uses a = 0.9 or 0.99'),
    temperature: requirePositive(name, 'temperature', merged.temperature, 'the paper tunes T in 1..60, e.g. 20'),
    softening: requireChoice(name, 'softening', merged.softening, VIRTUAL_TEACHER_SOFTENINGS),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
  };
  const { correctProbability: a, temperature, softening } = resolved;
  const loss: TfKdVirtualLoss = {
    name,
    options: resolved,
    requires: { teacher: 'none', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const tfKd = tf.tidy(() => {
        const classes = zS.shape[1];
        const rest = (1 - a) / (classes - 1);
        const u = tf.add(tf.mul(oneHotLabels(context.labels, classes), a - rest), rest) as tf.Tensor2D;
        const virtualLogits = softening === 'softmax' ? u : (tf.log(u) as tf.Tensor2D);
        return softenedKl(zS, virtualLogits, temperature, { direction: 'forward', reduction: 'batchmean', scaleByT2: resolved.scaleByT2 });
      });
      return { tfKd };
    },
  };
  return loss;
}

export const tfKdVirtualDefinition: LossDefinition<TfKdVirtualOptions> = {
  kind: 'loss',
  name: 'tf-kd-virtual',
  summary: 'Teacher-free KD: KL from a virtual teacher with probability a on the label and the rest uniform',
  knowledge: 'none',
  reference: yuan2020,
  defaults: TF_KD_VIRTUAL_DEFAULTS,
  create: (options) => tfKdVirtual(options),
};
