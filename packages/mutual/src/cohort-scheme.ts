import {
  ConfigError,
  requireChoice,
  type Batch,
  type LossTerms,
  type Objective,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type TrainableModel,
  type TrainingProgress,
} from '@distillery/core';
import type { Learner } from './learner.js';
import { LearnerGroup } from './learner-group.js';
import { TARGET_MODES, TargetCache, type TargetMode } from './targets.js';
import { UPDATE_ORDERS, learnerObjective, updateAll, updateLearner, type LearnerObjectiveArgs, type OnlinePlan, type UpdateOrder } from './updates.js';

export interface CohortSettings {
  readonly optimizer: OptimizerSpec;
  readonly updateOrder: UpdateOrder;
  readonly targetMode: TargetMode;
  /** models the scheme built itself (from a registry's createStudent); disposed with the scheme */
  readonly ownedModels?: readonly TrainableModel[];
}

/**
 * The settings of a cohort scheme called `scheme` from its options: update order and target mode
 * checked, the scheme's own defaults where they are not given.
 */
export function cohortSettings(
  scheme: string,
  options: { readonly optimizer: OptimizerSpec; readonly updateOrder?: UpdateOrder; readonly targetMode?: TargetMode; readonly ownedModels?: readonly TrainableModel[] },
  defaults: { readonly updateOrder: UpdateOrder; readonly targetMode: TargetMode },
): CohortSettings {
  return {
    optimizer: options.optimizer,
    updateOrder: requireChoice(scheme, 'updateOrder', options.updateOrder ?? defaults.updateOrder, UPDATE_ORDERS),
    targetMode: requireChoice(scheme, 'targetMode', options.targetMode ?? defaults.targetMode, TARGET_MODES),
    ...(options.ownedModels ? { ownedModels: options.ownedModels } : {}),
  };
}

/**
 * The shared body of the online schemes whose learners update one optimiser each (DML, BD-KD online,
 * offline + online): validation in `prepare`, the update order, trackables under each learner's key.
 * A subclass says who learns from whom (`sources`) and what each learner minimises (`objective`).
 */
export abstract class CohortScheme extends LearnerGroup implements Scheme, OnlinePlan {
  readonly targetMode: TargetMode;

  protected constructor(
    learners: readonly Learner[],
    private readonly settings: CohortSettings,
  ) {
    super(learners, settings.ownedModels);
    this.targetMode = settings.targetMode;
  }

  abstract sources(index: number): readonly number[];
  abstract objective(args: LearnerObjectiveArgs): Objective;

  /** extra validation and set-up (a frozen teacher's checks, caches); runs before the optimisers are built */
  protected prepareMore(_context: SchemeContext, _sample: Batch): void | Promise<void> {}
  /** per-step state every objective of the step may read (a frozen teacher's logits) */
  protected beginStep(_batch: Batch): void {}
  protected endStep(): void {}

  async prepare(context: SchemeContext, sample: Batch): Promise<void> {
    this.checkLearners(context);
    await this.prepareMore(context, sample);
    this.optimizers.build(this.settings.optimizer);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    return this.duringStep(batch, () => updateAll(this, this.settings.updateOrder, batch, progress));
  }

  /** One learner's update alone (one inner step of Zhang et al.'s Algorithm 1), with fresh targets. */
  stepLearner(index: number, batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    this.assertIndex(index);
    return this.withCache(batch, (cache) => updateLearner(this, index, batch, progress, cache));
  }

  /** One learner's objective at the current weights, no update: for probes (e.g. that targets are detached). */
  learnerObjective(index: number, batch: Batch, progress: TrainingProgress): Objective {
    this.assertPrepared();
    this.assertIndex(index);
    return this.withCache(batch, (cache) => learnerObjective(this, index, batch, progress, cache));
  }

  private withCache<T>(batch: Batch, body: (cache: TargetCache) => T): T {
    return this.duringStep(batch, () => {
      const cache = new TargetCache(this.learners, batch.x, this.targetMode);
      try {
        return body(cache);
      } finally {
        cache.dispose();
      }
    });
  }

  private duringStep<T>(batch: Batch, body: () => T): T {
    this.beginStep(batch);
    try {
      return body();
    } finally {
      this.endStep();
    }
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.learners.length) {
      throw new ConfigError(`${this.name}: no learner at index ${index}`, `indices run from 0 to ${this.learners.length - 1}`);
    }
  }
}

