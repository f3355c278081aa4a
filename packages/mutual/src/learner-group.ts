import { ConfigError, assertClassCounts, assertInputShape, type Classifier, type SchemeContext, type Trackables, type TrainableModel } from '@distillery/core';
import { LearnerOptimizers, type Learner } from './learner.js';

/**
 * What every online scheme over learners with one optimiser each shares, however it updates them
 * (one at a time: CohortScheme; jointly: EnsembleOnline): checks against the data, the optimisers,
 * every learner as an evaluation model, trackables under each learner's key, disposal of owned models.
 */
export abstract class LearnerGroup {
  abstract readonly name: string;
  readonly optimizers: LearnerOptimizers;
  protected numClasses = 0;

  protected constructor(
    readonly learners: readonly Learner[],
    /** models the scheme built itself (from a registry's createStudent); disposed with the scheme */
    private readonly ownedModels: readonly TrainableModel[] = [],
  ) {
    this.optimizers = new LearnerOptimizers(learners);
  }

  /** Every learner must fit the data; remembers the class count for the objectives. */
  protected checkLearners(context: SchemeContext): void {
    const models = this.learners.map((l) => l.model);
    assertClassCounts(context.numClasses, models);
    assertInputShape(context.inputShape, models);
    this.numClasses = context.numClasses;
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return Object.fromEntries(this.learners.map((l) => [l.key, l.model]));
  }

  trackables(): Trackables {
    return this.optimizers.trackables();
  }

  dispose(): void {
    this.optimizers.dispose();
    for (const model of this.ownedModels) model.dispose();
  }

  protected assertPrepared(): void {
    if (!this.optimizers.ready) throw new ConfigError(`${this.name}: step() was called before prepare()`, 'train through the Trainer, which prepares the scheme');
  }
}
