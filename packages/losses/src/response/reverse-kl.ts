import type { KnowledgeLoss, LossDefinition } from '@distillery/core';
import { studentLogits, teacherLogits } from '../logits.js';
import { LOGIT_REQUIREMENTS, plainLoss } from '../plain-loss.js';
import { gu2024 } from './references.js';
import { softenedKl } from './softened.js';
import { resolveSoftenedDivergenceOptions, type SoftenedDivergenceOptions } from './softened-options.js';

export type ReverseKlOptions = SoftenedDivergenceOptions;

export const REVERSE_KL_DEFAULTS: ReverseKlOptions = { temperature: 4, scaleByT2: true, reduction: 'batchmean' };

export interface ReverseKlLoss extends KnowledgeLoss {
  readonly options: ReverseKlOptions;
}

/**
 * Reverse KL, [T^2 x] KL(p_S || p_T) with p = softmax(z / T): mode-seeking, the student puts its mass
 * where the teacher is confident instead of covering every class the teacher gives mass to
 * (MiniLLM, Gu et al. 2024, section 2.1: minimise KL(q_student || p_teacher)). The same number as
 * `kdLoss({ direction: 'reverse' })`; a loss of its own so suites can name it. Infinite where a
 * black-box teacher reports probability exactly 0 for a class the student does not rule out.
 */
export function reverseKl(options: Partial<ReverseKlOptions> = {}): ReverseKlLoss {
  const name = 'reverse-kl';
  const resolved = resolveSoftenedDivergenceOptions(name, options, REVERSE_KL_DEFAULTS);
  return plainLoss({
    name,
    options: resolved,
    requires: LOGIT_REQUIREMENTS,
    compute(context) {
      const reverse = softenedKl(studentLogits(context, name), teacherLogits(context, name), resolved.temperature, {
        direction: 'reverse',
        reduction: resolved.reduction,
        scaleByT2: resolved.scaleByT2,
      });
      return { reverseKl: reverse };
    },
  });
}

export const reverseKlDefinition: LossDefinition<ReverseKlOptions> = {
  kind: 'loss',
  name: 'reverse-kl',
  summary: 'Reverse KL(student || teacher) over temperature-softened outputs: mode-seeking distillation',
  knowledge: 'response',
  reference: gu2024,
  defaults: REVERSE_KL_DEFAULTS,
  create: (options) => reverseKl(options),
};
