import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  requireNonNegative,
  requirePositive,
  type Batch,
  type Classifier,
  type LossTerms,
  type Objective,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type TrainableModel,
  type TrainingProgress,
} from '@distillery/core';
import { crossEntropy, kdLoss, stopGradient, type KdLoss } from '@distillery/losses';
import { assertCohort } from './checks.js';
import { cohortEnsemble } from './cohort-ensemble.js';
import { lossContext } from './context.js';
import { jointGradientStep } from './joint-step.js';
import type { Learner } from './learner.js';
import { LearnerGroup } from './learner-group.js';

export interface EnsembleOnlineOptions {
  /** k >= 2 models of any architectures predicting the same classes */
  readonly peers: readonly TrainableModel[];
  readonly optimizer: OptimizerSpec;
  /** T of the distillation from the ensemble; default 3 (ONE's value) */
  readonly temperature?: number;
  /** weight of T^2 KL(ensemble || peer) against each peer's CE; default 1 */
  readonly distillWeight?: number;
  readonly ownedModels?: readonly TrainableModel[];
}

export const ENSEMBLE_ONLINE_DEFAULTS = { temperature: 3, distillWeight: 1 } as const;

/**
 * Online distillation from the cohort's own ensemble (ONE, Lan et al. 2018; KDCL-Naive, Guo et al.
 * 2020) without a learned gate: the teacher is the mean of the peers' logits on the batch, detached,
 * and every peer minimises
 *
 *   L_i = CE(y, p_i) + distillWeight x T^2 KL(softmax(z_ens / T) || softmax(z_i / T)),  z_ens = mean_j z_j
 *
 * All peers are updated at once from one forward pass each: one backward pass over the summed
 * objective, split by variable so each peer's own optimiser applies its share (the ensemble is a
 * stop-gradient, so peer i's loss sends nothing into peer j).
 */
export class EnsembleOnline extends LearnerGroup implements Scheme {
  readonly name = 'ensemble-online';
  private readonly ce = crossEntropy();
  private readonly distill: KdLoss;
  private readonly distillWeight: number;

  constructor(private readonly options: EnsembleOnlineOptions) {
    assertCohort('ensemble-online', options.peers, 2);
    super(
      options.peers.map((model, i) => ({ key: `peer${i}`, model })),
      options.ownedModels,
    );
    this.distill = kdLoss({ temperature: requirePositive('ensemble-online', 'temperature', options.temperature ?? ENSEMBLE_ONLINE_DEFAULTS.temperature) });
    this.distillWeight = requireNonNegative('ensemble-online', 'distillWeight', options.distillWeight ?? ENSEMBLE_ONLINE_DEFAULTS.distillWeight);
  }

  prepare(context: SchemeContext, _sample: Batch): void {
    this.checkLearners(context);
    this.optimizers.build(this.options.optimizer);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    this.assertPrepared();
    const groups = this.learners.map((l, i) => ({ optimizer: this.optimizers.get(i), variables: l.model.trainableVariables() }));
    const terms = jointGradientStep(groups, () => {
      const objectives = this.objectives(batch, progress);
      const named: LossTerms = {};
      objectives.forEach(({ total, terms: own }, i) => {
        const key = (this.learners[i] as Learner).key;
        for (const [name, value] of Object.entries(own)) named[`${key}.${name}`] = value;
        named[`${key}.total`] = total;
      });
      return { total: tf.addN(objectives.map((o) => o.total)) as tf.Scalar, terms: named };
    });
    for (const { model } of this.learners) model.applyConstraints?.();
    return terms;
  }

  /** Peer `index`'s objective at the current weights (every peer runs forward: the ensemble needs them all). */
  peerObjective(index: number, batch: Batch, progress: TrainingProgress): Objective {
    this.assertPrepared();
    const objectives = this.objectives(batch, progress);
    const chosen = objectives[index];
    if (!chosen) throw new ConfigError(`ensemble-online: no peer at index ${index}`, `indices run from 0 to ${this.learners.length - 1}`);
    return chosen;
  }

  override evaluationModels(): Readonly<Record<string, Classifier>> {
    return { ...super.evaluationModels(), ensemble: cohortEnsemble(this.options.peers) };
  }

  private objectives(batch: Batch, progress: TrainingProgress): Objective[] {
    const outputs = this.learners.map(({ model }) => model.forward(batch.x, { training: true }));
    const ensemble = stopGradient(tf.div(tf.addN(outputs.map((o) => o.logits)), outputs.length) as tf.Tensor2D);
    return outputs.map((own) => {
      const ce = this.ce.compute(lossContext(own, undefined, batch, progress, this.numClasses))['ce'] as tf.Scalar;
      const kd = this.distill.compute(lossContext(own, ensemble, batch, progress, this.numClasses))['kd'] as tf.Scalar;
      return { total: tf.add(ce, tf.mul(kd, this.distillWeight)) as tf.Scalar, terms: { ce, kd } };
    });
  }
}

export function ensembleOnline(options: EnsembleOnlineOptions): EnsembleOnline {
  return new EnsembleOnline(options);
}
