import type { KnowledgeLoss, LossRequirements, LossSetup, LossTerms, StepContext } from '@distillery/core';
import { checkLossRequirements } from './requirements.js';

/** A loss whose `prepare` only checks its declared needs, with its resolved options and typed terms. */
export interface PlainLoss<O, T extends LossTerms> extends KnowledgeLoss {
  readonly options: O;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): T;
}

/**
 * Builds the object most losses are: name, resolved options, declared needs, and a `prepare` that
 * checks those needs against the run (checkLossRequirements), so misuse fails before training.
 */
export function plainLoss<O, T extends LossTerms>(parts: {
  readonly name: string;
  readonly options: O;
  readonly requires: LossRequirements;
  readonly compute: (context: StepContext) => T;
}): PlainLoss<O, T> {
  const loss: PlainLoss<O, T> = {
    name: parts.name,
    options: parts.options,
    requires: parts.requires,
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
    },
    compute: parts.compute,
  };
  return loss;
}

/** What a loss on logits needs: a teacher of any access (logits or log-probabilities) and two classes. */
export const LOGIT_REQUIREMENTS: LossRequirements = { teacher: 'any', minClasses: 2 };
