import type { OptimizerSpec, TrainableModel } from '@distillery/core';

export interface ByotOptions {
  /** the backbone; its own classifier is the deepest head */
  readonly model: TrainableModel;
  /** feature taps, shallow to deep, where auxiliary heads attach (e.g. ['hidden1', 'hidden2'] on an mlp) */
  readonly taps: readonly string[];
  /**
   * the tap holding the features the backbone's classifier reads: the hint target. Default: the last of
   * `model.featureNames` (an mlp's last hidden layer).
   */
  readonly deepestFeature?: string;
  readonly optimizer: OptimizerSpec;
  /** KD temperature from the deepest head to the shallow ones; default 3 (the paper's) */
  readonly temperature?: number;
  /** share of the KD term in each shallow head's response loss, (1 - alpha) CE + alpha KD; default 0.3 */
  readonly alpha?: number;
  /** weight of the feature hint (lambda); default 0.03 */
  readonly featureWeight?: number;
  /** seeds the heads' initialisers; default 0 */
  readonly seed?: number;
}

export const BYOT_DEFAULTS = { temperature: 3, alpha: 0.3, featureWeight: 0.03, seed: 0 } as const;
