import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, FusedMomentumOptimizer, FusedSGDOptimizer } from '../backend/fused-optimizers.js';
import { ConfigError } from '../errors.js';

/** A JSON-safe optimiser description, so suites and queued jobs can carry it. */
export type OptimizerSpec =
  | { readonly name: 'adam'; readonly learningRate: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number }
  | { readonly name: 'sgd'; readonly learningRate: number }
  | { readonly name: 'momentum'; readonly learningRate: number; readonly momentum: number; readonly nesterov?: boolean }
  | { readonly name: 'rmsprop'; readonly learningRate: number; readonly decay?: number; readonly momentum?: number };

/**
 * Builds a fresh optimiser; schemes that train several models (GANs, cohorts) call it once per group.
 * Adam, SGD and momentum are tfjs's own classes with a fused update on backends that provide one
 * (see backend/fused-optimizers.ts): same results, same checkpoints, fewer kernels per step.
 */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (!(spec.learningRate > 0) || !Number.isFinite(spec.learningRate)) {
    throw new ConfigError(`learning rate must be a positive number, got ${spec.learningRate}`, 'use e.g. 1e-3 for Adam, 0.05 for SGD');
  }
  switch (spec.name) {
    case 'adam':
      return new FusedAdamOptimizer(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-7);
    case 'sgd':
      return new FusedSGDOptimizer(spec.learningRate);
    case 'momentum':
      return new FusedMomentumOptimizer(spec.learningRate, spec.momentum, spec.nesterov ?? false);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, spec.decay ?? 0.9, spec.momentum ?? 0);
  }
}
