import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  assertLossWeights,
  lossState,
  lossVariables,
  requireFraction,
  type Batch,
  type KnowledgeLoss,
  type LossSetup,
  type LossTerms,
  type ModelOutputs,
  type Objective,
  type StepContext,
  type TrainingProgress,
  type WeightedLoss,
} from '@distillery/core';
import { checkLossRequirements, crossEntropy } from '@distillery/losses';

/**
 * The distillation part every scheme here shares with offline KD:
 *   (1 - alpha) x CE(y, p_S) + alpha x sum_i w_i L_i(student, teacher)
 * with the losses given by the caller (built directly or by name through the registry). Terms keep the
 * losses' own names; a clash with an earlier term is prefixed with the loss name ("kd.kd").
 */
export class DistillationObjective {
  readonly alpha: number;
  private readonly ce: KnowledgeLoss = crossEntropy();

  constructor(
    scheme: string,
    readonly losses: readonly WeightedLoss[],
    alpha: number | undefined,
  ) {
    this.alpha = requireFraction(scheme, 'alpha', alpha ?? (losses.length > 0 ? 0.9 : 0));
    assertLossWeights(losses);
    if (losses.length === 0 && this.alpha > 0) {
      throw new ConfigError(`${scheme}: alpha is ${this.alpha} but no distillation loss was given`, 'pass losses (e.g. [{ loss: kdLoss(), weight: 1 }]) or set alpha to 0');
    }
  }

  /** true when some loss reads teacher features (teacher outputs can then not come from a logit cache) */
  get needsTeacherFeatures(): boolean {
    return this.losses.some(({ loss }) => (loss.requires.teacherFeatures?.length ?? 0) > 0);
  }

  /** checks every loss against the run (typed errors) and lets it build its variables */
  prepare(setup: LossSetup): void {
    for (const { loss } of this.losses) {
      checkLossRequirements(loss, setup);
      loss.prepare?.(setup);
    }
  }

  /** the losses' trainable variables, optimised with the student */
  variables(): tf.Variable[] {
    return Object.values(lossVariables(this.losses));
  }

  /** every loss variable and state by checkpoint name */
  trackables(): Record<string, tf.Variable> {
    return { ...lossVariables(this.losses), ...lossState(this.losses) };
  }

  /** call inside the student's gradient closure; teacher outputs are constants */
  compute(outputs: ModelOutputs, teacher: ModelOutputs | undefined, batch: Batch, progress: TrainingProgress, numClasses: number): Objective {
    const context: StepContext = {
      student: outputs,
      ...(teacher ? { teacher } : {}),
      labels: batch.y,
      indices: batch.index,
      numClasses,
      progress,
    };
    const terms: LossTerms = { ...this.ce.compute(context) };
    let total = tf.mul(terms['ce'] as tf.Scalar, 1 - this.alpha) as tf.Scalar;
    for (const { loss, weight } of this.losses) {
      for (const [name, value] of Object.entries(loss.compute(context))) {
        terms[name in terms ? `${loss.name}.${name}` : name] = value;
        total = tf.add(total, tf.mul(value, this.alpha * weight)) as tf.Scalar;
      }
      loss.afterStep?.(context);
    }
    return { total, terms };
  }

  dispose(): void {
    for (const { loss } of this.losses) loss.dispose?.();
  }
}
