import { requireFraction, type OptimizerSpec, type TrainableModel } from '@distillery/core';
import { tfKdVirtual, type TfKdVirtualOptions } from '@distillery/losses';
import { offlineDistillation } from '@distillery/offline';
import { NamedScheme } from '../named-scheme.js';

export interface TfVirtualOptions extends Partial<TfKdVirtualOptions> {
  readonly model: TrainableModel;
  readonly optimizer: OptimizerSpec;
  /** total = (1 - alpha) CE + alpha tfKd; default 0.1 */
  readonly alpha?: number;
}

export const TF_VIRTUAL_DEFAULTS = { alpha: 0.1 } as const;

/**
 * Teacher-free KD with a virtual teacher (Tf-KD_reg, Yuan et al., CVPR 2020): the model is regularised
 * towards a hand-made distribution - probability `correctProbability` on the label, the rest spread
 * evenly - softened at a high temperature. The loss is @distillery/losses' `tfKdVirtual` (see its
 * documentation for how it differs from the official code); the scheme is the offline scheme without
 * a teacher, total = (1 - alpha) CE + alpha tfKd, named 'tf-virtual'.
 */
export function tfVirtual(options: TfVirtualOptions): NamedScheme {
  const { model, optimizer, alpha, ...lossOptions } = options;
  const share = requireFraction('tf-virtual', 'alpha', alpha ?? TF_VIRTUAL_DEFAULTS.alpha, 'alpha mixes two targets or losses');
  return new NamedScheme(
    'tf-virtual',
    offlineDistillation({ student: model, losses: [{ loss: tfKdVirtual(lossOptions), weight: 1 }], alpha: share, optimizer }),
  );
}
