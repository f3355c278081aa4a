import * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  MissingFeatureError,
  assertClassCounts,
  assertInputShape,
  createOptimizer,
  featureShapes,
  gradientStep,
  prefixed,
  requireFraction,
  requireNonNegative,
  requirePositive,
  type Batch,
  type Classifier,
  type LossTerms,
  type Objective,
  type Scheme,
  type SchemeContext,
  type Trackables,
  type TrainingProgress,
} from '@distillery/core';
import { crossEntropy, kdLoss, stopGradient, type KdLoss } from '@distillery/losses';
import { deriveSeed } from '@distillery/models';
import { buildHead, featureWidth, pooled, type Head } from './head.js';
import { headClassifier, headEnsemble } from './head-classifier.js';
import { BYOT_DEFAULTS, type ByotOptions } from './options.js';
import { shallowModel, type ShallowModel } from './shallow-model.js';

/** Outputs of every classifier of the network on one batch. */
export interface HeadOutputs {
  readonly logits: tf.Tensor2D;
  /** the head's bottleneck features [batch, width]; the deepest head reports its pooled features */
  readonly features: tf.Tensor2D;
}

/**
 * Be Your Own Teacher (Zhang et al., ICCV 2019): auxiliary classifiers at shallow taps of one network
 * learn from the labels and from the network's deepest classifier, all in one training run:
 *
 *   total = CE(y, q_C) + sum_i [ (1 - alpha) CE(y, q_i) + alpha KL(q_C^T || q_i^T) + lambda ||F_i - F_C||^2 ]
 *
 * q_C and F_C (the deepest logits and features, maps average-pooled) are constants in every term but
 * the deepest CE; ||.||^2 is the squared L2 distance per sample, averaged over the batch (the paper's
 * formula; its code uses the unsquared norm over the whole batch). The KL term is not multiplied by
 * T^2, as in the paper's code. The heads' gradients reach the backbone's shallow layers: that is the
 * method's point, shallow layers trained to be good classifiers themselves.
 */
export class BeYourOwnTeacher implements Scheme {
  readonly name = 'byot';
  private readonly ce = crossEntropy();
  private readonly kd: KdLoss;
  private readonly alpha: number;
  private readonly featureWeight: number;
  private heads: Head[] = [];
  private deepest = '';
  private optimizer: tf.Optimizer | undefined;
  private numClasses = 0;

  constructor(private readonly options: ByotOptions) {
    if (options.taps.length === 0) throw new ConfigError('byot needs at least one tap for an auxiliary head', "pass taps, e.g. ['hidden1'] for an mlp with two hidden layers");
    if (new Set(options.taps).size !== options.taps.length) throw new ConfigError('byot: a tap is listed twice', 'attach one head per tap');
    this.kd = kdLoss({ temperature: requirePositive('byot', 'temperature', options.temperature ?? BYOT_DEFAULTS.temperature), scaleByT2: false });
    this.alpha = requireFraction('byot', 'alpha', options.alpha ?? BYOT_DEFAULTS.alpha, 'alpha mixes two targets or losses');
    this.featureWeight = requireNonNegative('byot', 'featureWeight', options.featureWeight ?? BYOT_DEFAULTS.featureWeight);
  }

  prepare(context: SchemeContext, sample: Batch): void {
    const { model, taps } = this.options;
    assertClassCounts(context.numClasses, [model]);
    assertInputShape(context.inputShape, [model]);
    this.numClasses = context.numClasses;
    const shapes = featureShapes(() => model.forward(sample.x, { training: false }));
    const available = Object.keys(shapes);
    const deepest = this.options.deepestFeature ?? model.featureNames[model.featureNames.length - 1];
    if (deepest === undefined || !(deepest in shapes)) throw new MissingFeatureError(`model "${model.name}" (deepest feature for byot)`, deepest ?? '(none)', available);
    for (const tap of taps) {
      if (!(tap in shapes)) throw new MissingFeatureError(`model "${model.name}" (head tap for byot)`, tap, available);
      if (tap === deepest) throw new ConfigError(`byot: "${tap}" is the deepest feature and cannot carry a shallow head`, 'attach heads to shallower taps only');
    }
    const width = featureWidth(deepest, shapes[deepest] as number[]);
    this.disposeHeads();
    const seed = this.options.seed ?? BYOT_DEFAULTS.seed;
    this.heads = taps.map((tap) => buildHead(tap, shapes[tap] as number[], width, context.numClasses, deriveSeed(seed, tap)));
    this.deepest = deepest;
    this.optimizer?.dispose();
    this.optimizer = createOptimizer(this.options.optimizer);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    if (!this.optimizer) throw new ConfigError('byot: step() was called before prepare()', 'train through the Trainer, which prepares the scheme');
    const variables = [...this.options.model.trainableVariables(), ...this.heads.flatMap((h) => h.trainableVariables())];
    const terms = gradientStep(this.optimizer, variables, () => this.objective(batch, progress));
    this.options.model.applyConstraints?.();
    return terms;
  }

  /** The full objective at the current weights, without an update. */
  objective(batch: Batch, progress: TrainingProgress): Objective {
    const outputs = this.options.model.forward(batch.x, { training: true });
    const context = (logits: tf.Tensor2D, teacher?: tf.Tensor2D) => ({
      student: { logits, features: {} },
      ...(teacher ? { teacher: { logits: teacher, features: {} } } : {}),
      labels: batch.y,
      indices: batch.index,
      numClasses: this.numClasses,
      progress,
    });
    const terms: LossTerms = { ce: this.ce.compute(context(outputs.logits))['ce'] as tf.Scalar };
    const teacherLogits = stopGradient(outputs.logits);
    const deepestFeatures = stopGradient(pooled(outputs.features[this.deepest] as tf.Tensor));
    const parts: tf.Scalar[] = [terms['ce'] as tf.Scalar];
    for (const head of this.heads) {
      const { logits, bottleneck } = head.apply(outputs.features[head.tap] as tf.Tensor);
      const ce = this.ce.compute(context(logits))['ce'] as tf.Scalar;
      const kd = this.kd.compute(context(logits, teacherLogits))['kd'] as tf.Scalar;
      const hint = tf.div(tf.sum(tf.square(tf.sub(bottleneck, deepestFeatures))), bottleneck.shape[0]) as tf.Scalar;
      Object.assign(terms, { [`${head.tap}.ce`]: ce, [`${head.tap}.kd`]: kd, [`${head.tap}.hint`]: hint });
      parts.push(tf.mul(ce, 1 - this.alpha), tf.mul(kd, this.alpha), tf.mul(hint, this.featureWeight));
    }
    return { total: tf.addN(parts) as tf.Scalar, terms };
  }

  /** Every classifier's logits and features on `x` in inference mode, the deepest first; the caller owns them. */
  headOutputs(x: tf.Tensor): Record<string, HeadOutputs> {
    this.assertPrepared();
    const result = tf.tidy(() => {
      const outputs = this.options.model.forward(x, { training: false });
      const all: Record<string, HeadOutputs> = { deepest: { logits: outputs.logits, features: pooled(outputs.features[this.deepest] as tf.Tensor) } };
      for (const head of this.heads) {
        const { logits, bottleneck } = head.apply(outputs.features[head.tap] as tf.Tensor);
        all[head.tap] = { logits, features: bottleneck };
      }
      return all as unknown as tf.TensorContainer;
    });
    return result as unknown as Record<string, HeadOutputs>;
  }

  /** The backbone (primary, the deepest head), every shallow head, and the heads' mean. */
  evaluationModels(): Readonly<Record<string, Classifier>> {
    const models: Record<string, Classifier> = { deepest: this.options.model };
    for (const head of this.heads) models[`head:${head.tap}`] = headClassifier(this.options.model, head);
    models['ensemble'] = headEnsemble(`${this.options.model.name}@ensemble`, Object.values(models));
    return models;
  }

  /**
   * A deployable early exit: the backbone truncated at `tap` plus its head, as an independent
   * tf.LayersModel holding a copy of the current weights (the caller disposes it). `layerName` is the
   * backbone layer the tap exposes (default: the tap's name, right for mlp, lenet5 and plainCnn taps).
   */
  async exportShallowModel(tap: string, options: { readonly layerName?: string } = {}): Promise<ShallowModel> {
    this.assertPrepared();
    const head = this.heads.find((h) => h.tap === tap);
    if (!head) throw new MissingFeatureError('byot (no head at this tap)', tap, this.heads.map((h) => h.tap));
    return shallowModel(this.options.model, head, options.layerName ?? tap);
  }

  trackables(): Trackables {
    const variables: Record<string, tf.Variable> = prefixed('model', this.options.model.stateVariables());
    for (const head of this.heads) Object.assign(variables, prefixed(`head/${head.tap}`, head.variables()));
    return { variables, optimizers: this.optimizer ? { model: this.optimizer } : {} };
  }

  dispose(): void {
    this.disposeHeads();
    this.optimizer?.dispose();
    this.optimizer = undefined;
  }

  private disposeHeads(): void {
    for (const head of this.heads) head.dispose();
    this.heads = [];
  }

  private assertPrepared(): void {
    if (!this.optimizer) throw new ConfigError('byot: the heads are built in prepare()', 'train through the Trainer (or call prepare) first');
  }
}

export function beYourOwnTeacher(options: ByotOptions): BeYourOwnTeacher {
  return new BeYourOwnTeacher(options);
}
