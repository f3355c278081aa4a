import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  assertClassCounts,
  assertInputShape,
  createOptimizer,
  gradientStep,
  prefixed,
  requireFraction,
  type Batch,
  type Classifier,
  type LossTerms,
  type OptimizerSpec,
  type Scheme,
  type SchemeContext,
  type Trackables,
  type TrainableModel,
  type TrainingProgress,
} from '@distillery/core';
import { PredictionMemory } from './prediction-memory.js';

export interface SelfPastOptions {
  readonly model: TrainableModel;
  readonly optimizer: OptimizerSpec;
  /** alpha_T, the weight of the past prediction in the last epoch; default 0.8 (PS-KD's) */
  readonly finalAlpha?: number;
}

export const SELF_PAST_DEFAULTS = { finalAlpha: 0.8 } as const;

/**
 * Teacher-free self-distillation from the model's own past (PS-KD, Kim et al., ICCV 2021). In epoch t
 * (0-based, of E) each sample's target is
 *
 *   y~ = (1 - alpha_t) onehot(y) + alpha_t p_prev,   alpha_t = finalAlpha x (t + 1) / E
 *
 * where p_prev is the softmax the model gave that sample the last time it was trained on (the
 * previous epoch; the label itself until then), and the loss is the cross-entropy -sum y~ log p.
 * Predictions are stored by sample index after each step, outside the gradient; they are part of the
 * trackables, so a resumed run uses the same targets.
 */
export class SelfPast implements Scheme {
  readonly name = 'self-past';
  private readonly finalAlpha: number;
  private memory: PredictionMemory | undefined;
  private optimizer: tf.Optimizer | undefined;
  private epochs = 1;
  private numClasses = 0;

  constructor(private readonly options: SelfPastOptions) {
    this.finalAlpha = requireFraction('self-past', 'finalAlpha', options.finalAlpha ?? SELF_PAST_DEFAULTS.finalAlpha, 'finalAlpha mixes two targets or losses');
  }

  prepare(context: SchemeContext, _sample: Batch): void {
    const { model } = this.options;
    assertClassCounts(context.numClasses, [model]);
    assertInputShape(context.inputShape, [model]);
    if (!(context.datasetSize > 0)) throw new ConfigError('self-past keeps a prediction per training sample but the dataset size is 0', 'train on a non-empty dataset');
    this.numClasses = context.numClasses;
    this.epochs = context.epochs;
    this.memory?.dispose();
    this.memory = new PredictionMemory(context.datasetSize, context.numClasses);
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
  }

  /** alpha_t of PS-KD's linear schedule */
  alphaAt(epoch: number): number {
    return Math.min(this.finalAlpha, (this.finalAlpha * (epoch + 1)) / this.epochs);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const { memory, optimizer } = this;
    if (!memory || !optimizer) throw new ConfigError('self-past: step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const { model } = this.options;
    const alpha = this.alphaAt(progress.epoch);
    const targets = tf.tidy(() => {
      const onehot = tf.cast(tf.oneHot(batch.y, this.numClasses), 'float32') as tf.Tensor2D;
      return tf.add(tf.mul(onehot, 1 - alpha), tf.mul(memory.lookup(batch.index, onehot), alpha)) as tf.Tensor2D;
    });
    let predictions: tf.Tensor2D | undefined;
    try {
      const terms = gradientStep(optimizer, model.trainableVariables(), () => {
        const logits = model.forward(batch.x, { training: true }).logits;
        predictions = tf.keep(tf.softmax(logits));
        const logP = tf.logSoftmax(logits);
        const pskd = tf.div(tf.neg(tf.sum(tf.mul(targets, logP))), batch.size) as tf.Scalar;
        const ce = tf.div(tf.neg(tf.sum(tf.mul(tf.cast(tf.oneHot(batch.y, this.numClasses), 'float32'), logP))), batch.size) as tf.Scalar;
        return { total: pskd, terms: { pskd, ce, alpha: tf.scalar(alpha) } };
      });
      model.applyConstraints?.();
      if (predictions) memory.store(batch.index, predictions);
      return terms;
    } finally {
      targets.dispose();
      predictions?.dispose();
    }
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return { model: this.options.model };
  }

  trackables(): Trackables {
    return {
      variables: { ...prefixed('model', this.options.model.stateVariables()), ...prefixed('memory', this.memory?.variables() ?? {}) },
      optimizers: this.optimizer ? { model: this.optimizer } : {},
    };
  }

  dispose(): void {
    this.memory?.dispose();
    this.memory = undefined;
    this.optimizer?.dispose();
    this.optimizer = undefined;
  }
}

export function selfPast(options: SelfPastOptions): SelfPast {
  return new SelfPast(options);
}
