import * as tf from '@tensorflow/tfjs';
import { rejectUnknownOptions, type KnowledgeLoss, type LossDefinition, type LossSetup, type StepContext } from '@distillery/core';
import { klDivergence } from '../divergence.js';
import { studentLogits } from '../logits.js';
import { szegedy2016 } from '../references.js';
import { checkLossRequirements } from '../requirements.js';

/** No options: the smoothing strength is the loss's weight in the scheme. */
export type LsrOptions = Record<string, never>;

export const LSR_DEFAULTS: LsrOptions = {};

export interface LsrLoss extends KnowledgeLoss {
  readonly options: LsrOptions;
}

/**
 * Label smoothing regularisation as its own term: lsr = 1/B sum_i KL(u || p_S,i), u uniform over the
 * K classes, p_S = softmax(z). Label smoothing with eps is (1 - eps) H(q, p) + eps H(u, p) (Szegedy et
 * al. 2016, section 7), and H(u, p) = KL(u || p) + log K, so weighting `ce` by (1 - eps) and `lsr` by eps
 * gives label-smoothed CE minus the constant eps log K - the form in which Yuan et al. 2020 read LSR
 * as KD from a uniform virtual teacher. 0 exactly when the student's output is uniform.
 */
export function lsrLoss(options: Partial<LsrOptions> = {}): LsrLoss {
  const name = 'lsr';
  rejectUnknownOptions(name, options, Object.keys(LSR_DEFAULTS));
  const loss: LsrLoss = {
    name,
    options: LSR_DEFAULTS,
    requires: { teacher: 'none', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const lsr = tf.tidy(() => {
        const classes = zS.shape[1];
        const logUniform = tf.fill(zS.shape, -Math.log(classes)) as tf.Tensor2D;
        return klDivergence(logUniform, tf.logSoftmax(zS) as tf.Tensor2D, 'batchmean');
      });
      return { lsr };
    },
  };
  return loss;
}

export const lsrDefinition: LossDefinition<LsrOptions> = {
  kind: 'loss',
  name: 'lsr',
  summary: 'Label smoothing regularisation: KL(uniform || student), the smoothing half of label-smoothed CE',
  knowledge: 'none',
  reference: szegedy2016,
  defaults: LSR_DEFAULTS,
  create: (options) => lsrLoss(options),
};
