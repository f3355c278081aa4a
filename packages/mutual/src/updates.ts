import * as tf from '@tensorflow/tfjs';
import { gradientStep, type Batch, type LossTerms, type ModelOutputs, type Objective, type TrainingProgress } from '@distillery/core';
import type { Learner, LearnerOptimizers } from './learner.js';
import { TargetCache, type TargetMode } from './targets.js';
import { mergeLearnerTerms } from './terms.js';

/**
 * 'sequential': Zhang et al.'s Algorithm 1 - learners are updated one after another, and each update
 * sees the others' predictions at their current weights (a learner updated earlier in the step is
 * re-predicted). 'simultaneous': every learner's targets are taken before any update, as most public
 * DML code does (one forward per model, then one optimiser step each).
 */
export type UpdateOrder = 'sequential' | 'simultaneous';
export const UPDATE_ORDERS: readonly UpdateOrder[] = ['sequential', 'simultaneous'];

export interface LearnerObjectiveArgs {
  readonly index: number;
  /** this learner's outputs in training mode, computed on the gradient tape */
  readonly outputs: ModelOutputs;
  /** the detached logits of the learners it learns from, by learner index */
  readonly targets: ReadonlyMap<number, tf.Tensor2D>;
  readonly batch: Batch;
  readonly progress: TrainingProgress;
}

/** Who learns from whom, and each learner's objective. */
export interface OnlinePlan {
  readonly learners: readonly Learner[];
  readonly optimizers: LearnerOptimizers;
  readonly targetMode: TargetMode;
  /** indices of the learners whose predictions learner `index` learns from */
  sources(index: number): readonly number[];
  objective(args: LearnerObjectiveArgs): Objective;
}

function targetsFor(plan: OnlinePlan, index: number, cache: TargetCache): Map<number, tf.Tensor2D> {
  return new Map(plan.sources(index).map((j) => [j, cache.get(j)]));
}

/** Learner `index`'s objective at the current weights, without an update (for probes and tests). */
export function learnerObjective(plan: OnlinePlan, index: number, batch: Batch, progress: TrainingProgress, cache: TargetCache): Objective {
  const learner = plan.learners[index] as Learner;
  return plan.objective({ index, outputs: learner.model.forward(batch.x, { training: true }), targets: targetsFor(plan, index, cache), batch, progress });
}

/**
 * One optimiser step of one learner on its own variables only: the targets are constants taken from
 * the cache before the tape starts, so no other learner's variable receives a gradient.
 */
export function updateLearner(plan: OnlinePlan, index: number, batch: Batch, progress: TrainingProgress, cache: TargetCache): LossTerms {
  const { model } = plan.learners[index] as Learner;
  const targets = targetsFor(plan, index, cache);
  const terms = gradientStep(plan.optimizers.get(index), model.trainableVariables(), () =>
    plan.objective({ index, outputs: model.forward(batch.x, { training: true }), targets, batch, progress }),
  );
  model.applyConstraints?.();
  return terms;
}

/** Every learner's update in `order`; terms come back as "<key>.<term>" plus the sum of the learners' totals as `total`. */
export function updateAll(plan: OnlinePlan, order: UpdateOrder, batch: Batch, progress: TrainingProgress): LossTerms {
  const cache = new TargetCache(plan.learners, batch.x, plan.targetMode);
  const perLearner: LossTerms[] = [];
  try {
    if (order === 'simultaneous') {
      plan.learners.forEach((_, i) => plan.sources(i).forEach((j) => cache.get(j)));
    }
    plan.learners.forEach((_, i) => {
      perLearner.push(updateLearner(plan, i, batch, progress, cache));
      if (order === 'sequential') cache.invalidate(i);
    });
    return mergeLearnerTerms(plan.learners, perLearner);
  } catch (error) {
    for (const terms of perLearner) tf.dispose(terms);
    throw error;
  } finally {
    cache.dispose();
  }
}
