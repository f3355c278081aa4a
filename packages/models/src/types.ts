import type * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '@distillery/core';

/** A TrainableModel backed by a tf.LayersModel: what `fromLayersModel` and every zoo builder return. */
export interface LayersTrainableModel extends TrainableModel {
  /** the model as built (logits output only): save it with `saveLayersModel` from `@distillery/core/node` */
  readonly layersModel: tf.LayersModel;
  /** per-sample shape of every feature tap (no batch dimension), e.g. for `LossSetup.studentFeatureShapes` */
  readonly featureShapes: Readonly<Record<string, readonly number[]>>;
  /**
   * Projects every weight that carries a constraint (max-norm) back onto its constraint set.
   * tfjs applies a layer constraint only when weights are set, never after an optimiser update
   * (`optimizer.minimize` writes the variables directly), so a scheme calls this after each optimiser
   * step; a no-op when no layer has a constraint.
   */
  applyConstraints(): void;
  /** true when at least one weight has a constraint, so callers can skip the call otherwise */
  readonly hasConstraints: boolean;
}
