import * as tf from '@tensorflow/tfjs';
import { ConfigError, createOptimizer, prefixed, type OptimizerSpec, type Trackables, type TrainableModel } from '@distillery/core';

/** One model that learns in an online scheme, with its own optimiser (built in `prepare`). */
export interface Learner {
  /** stable name of the role ("peer0", "student", "peer"): prefixes its terms, variables and optimiser */
  readonly key: string;
  readonly model: TrainableModel;
}

/** The optimisers of a set of learners, one each: a peer's Adam state never mixes with another's. */
export class LearnerOptimizers {
  private optimizers: tf.Optimizer[] | undefined;

  constructor(private readonly learners: readonly Learner[]) {}

  build(spec: OptimizerSpec): void {
    this.dispose();
    this.optimizers = this.learners.map(() => createOptimizer(spec));
  }

  get(index: number): tf.Optimizer {
    const optimizer = this.optimizers?.[index];
    if (!optimizer) throw new ConfigError('the optimisers are built in prepare()', 'train through the Trainer, which prepares the scheme');
    return optimizer;
  }

  get ready(): boolean {
    return this.optimizers !== undefined;
  }

  /** every learner's variables under "<key>/..." and its optimiser under "<key>" */
  trackables(): Trackables {
    const variables: Record<string, tf.Variable> = {};
    const optimizers: Record<string, tf.Optimizer> = {};
    this.learners.forEach((learner, i) => {
      Object.assign(variables, prefixed(learner.key, learner.model.stateVariables()));
      const optimizer = this.optimizers?.[i];
      if (optimizer) optimizers[learner.key] = optimizer;
    });
    return { variables, optimizers };
  }

  dispose(): void {
    for (const optimizer of this.optimizers ?? []) optimizer.dispose();
    this.optimizers = undefined;
  }
}
