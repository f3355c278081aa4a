import * as tf from '@tensorflow/tfjs';
import { requireNonNegative, requirePositive, type Objective, type OptimizerSpec, type TrainableModel } from '@distillery/core';
import { crossEntropy, kdLoss, type KdLoss } from '@distillery/losses';
import { assertCohort } from './checks.js';
import { CohortScheme, cohortSettings } from './cohort-scheme.js';
import { lossContext } from './context.js';
import type { TargetMode } from './targets.js';
import type { LearnerObjectiveArgs, UpdateOrder } from './updates.js';

export interface DeepMutualLearningOptions {
  /** k >= 2 models of any architectures predicting the same classes; each gets its own optimiser */
  readonly peers: readonly TrainableModel[];
  readonly optimizer: OptimizerSpec;
  /** T in KL(softmax(z_j / T) || softmax(z_i / T)) x T^2; default 1, the paper's plain probabilities */
  readonly temperature?: number;
  /** weight of the mimicry term against the cross-entropy; default 1 (the paper's unweighted sum) */
  readonly mimicryWeight?: number;
  /** default 'sequential': the paper's Algorithm 1 (see UpdateOrder) */
  readonly updateOrder?: UpdateOrder;
  /** how the peers' predictions used as targets are computed; default 'inference' (see TargetMode) */
  readonly targetMode?: TargetMode;
  /** models the scheme built itself; disposed with the scheme */
  readonly ownedModels?: readonly TrainableModel[];
}

export const DML_DEFAULTS = { temperature: 1, mimicryWeight: 1, updateOrder: 'sequential', targetMode: 'inference' } as const;

/**
 * Deep mutual learning (Zhang et al., CVPR 2018). Peer i minimises
 *
 *   L_i = CE(y, p_i) + mimicryWeight x 1/(k-1) sum_{j != i} T^2 KL(p_j || p_i),   p = softmax(z / T)
 *
 * where the other peers' predictions p_j are constants (detached). With the default sequential order
 * each peer's update sees the peers updated before it in the same step at their new weights, exactly
 * as Algorithm 1 re-computes the predictions after every update; a peer's update touches only its own
 * variables through its own optimiser.
 */
export class DeepMutualLearning extends CohortScheme {
  readonly name = 'dml';
  private readonly ce = crossEntropy();
  private readonly mimicry: KdLoss;
  private readonly mimicryWeight: number;

  constructor(options: DeepMutualLearningOptions) {
    assertCohort('dml', options.peers, 2);
    const temperature = requirePositive('dml', 'temperature', options.temperature ?? DML_DEFAULTS.temperature);
    super(
      options.peers.map((model, i) => ({ key: `peer${i}`, model })),
      cohortSettings('dml', options, DML_DEFAULTS),
    );
    this.mimicryWeight = requireNonNegative('dml', 'mimicryWeight', options.mimicryWeight ?? DML_DEFAULTS.mimicryWeight);
    this.mimicry = kdLoss({ temperature });
  }

  sources(index: number): readonly number[] {
    return this.learners.map((_, j) => j).filter((j) => j !== index);
  }

  objective({ index, outputs, targets, batch, progress }: LearnerObjectiveArgs): Objective {
    const { ce } = this.ce.compute(lossContext(outputs, undefined, batch, progress, this.numClasses)) as { ce: tf.Scalar };
    const divergences = this.sources(index).map((j) => this.mimicry.compute(lossContext(outputs, targets.get(j), batch, progress, this.numClasses))['kd'] as tf.Scalar);
    const kl = tf.div(tf.addN(divergences), divergences.length) as tf.Scalar;
    return { total: tf.add(ce, tf.mul(kl, this.mimicryWeight)) as tf.Scalar, terms: { ce, kl } };
  }
}

export function deepMutualLearning(options: DeepMutualLearningOptions): DeepMutualLearning {
  return new DeepMutualLearning(options);
}
