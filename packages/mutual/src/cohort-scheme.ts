import {
  ConfigError,
  assertClassCounts,
  assertInputShape,
  type Batch,
  type Classifier,
  type LossTerms,
  type Objective,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type Trackables,
  type TrainableModel,
  type TrainingProgress,
} from '@distillery/core';
import { LearnerOptimizers, type Learner } from './learner.js';
import { TargetCache, type TargetMode } from './targets.js';
import { learnerObjective, updateAll, updateLearner, type LearnerObjectiveArgs, type OnlinePlan, type UpdateOrder } from './updates.js';

export interface CohortSettings {
  readonly optimizer: OptimizerSpec;
  readonly updateOrder: UpdateOrder;
  readonly targetMode: TargetMode;
  /** models the scheme built itself (from a registry's createStudent); disposed with the scheme */
  readonly ownedModels?: readonly TrainableModel[];
}

/**
 * The shared body of the online schemes whose learners update one optimiser each (DML, BD-KD online,
 * offline + online): validation in `prepare`, the update order, trackables under each learner's key.
 * A subclass says who learns from whom (`sources`) and what each learner minimises (`objective`).
 */
export abstract class CohortScheme implements Scheme, OnlinePlan {
  abstract readonly name: string;
  readonly targetMode: TargetMode;
  readonly optimizers: LearnerOptimizers;
  protected numClasses = 0;

  protected constructor(
    readonly learners: readonly Learner[],
    private readonly settings: CohortSettings,
  ) {
    this.targetMode = settings.targetMode;
    this.optimizers = new LearnerOptimizers(learners);
  }

  abstract sources(index: number): readonly number[];
  abstract objective(args: LearnerObjectiveArgs): Objective;

  /** extra validation and set-up (a frozen teacher's checks, caches); runs before the optimisers are built */
  protected prepareMore(_context: SchemeContext, _sample: Batch): void | Promise<void> {}
  /** per-step state every objective of the step may read (a frozen teacher's logits) */
  protected beginStep(_batch: Batch): void {}
  protected endStep(): void {}

  async prepare(context: SchemeContext, sample: Batch): Promise<void> {
    const models = this.learners.map((l) => l.model);
    assertClassCounts(context.numClasses, models);
    assertInputShape(context.inputShape, models);
    this.numClasses = context.numClasses;
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

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return Object.fromEntries(this.learners.map((l) => [l.key, l.model]));
  }

  trackables(): Trackables {
    return this.optimizers.trackables();
  }

  dispose(): void {
    this.optimizers.dispose();
    for (const model of this.settings.ownedModels ?? []) model.dispose();
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

  private assertPrepared(): void {
    if (!this.optimizers.ready) throw new ConfigError(`${this.name}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.learners.length) {
      throw new ConfigError(`${this.name}: no learner at index ${index}`, `indices run from 0 to ${this.learners.length - 1}`);
    }
  }
}

