import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { REDUCTIONS } from '../divergence.js';
import type { Reduction } from '../divergence.js';
import { studentLogits, teacherLogits } from '../logits.js';
import { rejectUnknownOptions, requireBoolean, requireOneOf, requirePositiveNumber } from '../options.js';
import { checkLossRequirements } from '../requirements.js';
import { gu2024 } from './references.js';
import { softenedKl } from './softened.js';

export type ReverseKlOptions = {
  readonly temperature: number;
  readonly scaleByT2: boolean;
  readonly reduction: Reduction;
};

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
  rejectUnknownOptions(name, options, Object.keys(REVERSE_KL_DEFAULTS));
  const merged = { ...REVERSE_KL_DEFAULTS, ...options };
  const resolved: ReverseKlOptions = {
    temperature: requirePositiveNumber(name, 'temperature', merged.temperature, 'use a temperature > 0, e.g. 1 or 4'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
    reduction: requireOneOf(name, 'reduction', merged.reduction, REDUCTIONS),
  };
  const loss: ReverseKlLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute(context: StepContext) {
      const reverse = softenedKl(studentLogits(context, name), teacherLogits(context, name), resolved.temperature, {
        direction: 'reverse',
        reduction: resolved.reduction,
        scaleByT2: resolved.scaleByT2,
      });
      return { reverseKl: reverse };
    },
  };
  return loss;
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
