import * as tf from '@tensorflow/tfjs';
import { gradientStep, requireNonNegative, type Batch, type LossTerms, type SchemeContext, type TrainingProgress } from '@distillery/core';
import type { Generator } from '../generator/generator.js';
import { activationLoss, informationEntropyLoss, oneHotLoss } from '../losses/dafl-terms.js';
import { requireFeature, teacherFeatureShapes } from './checks.js';
import { distilStep } from './distil.js';
import { GeneratorScheme, type GeneratorSchemeOptions } from './generator-scheme.js';

export interface DaflOptions extends Omit<GeneratorSchemeOptions, 'generatorOptimizer'> {
  /** DAFL MNIST: Adam, lr 0.2 (the official default `--lr_G 0.2`) */
  readonly generatorOptimizer?: GeneratorSchemeOptions['generatorOptimizer'];
  /**
   * teacher feature tap for the activation loss. Default "fc1": in @distillery/models' LeNet-5 it is the
   * 120-unit layer after the last convolution, exactly the `feature` DAFL's LeNet5 returns (conv3 output).
   */
  readonly activationFeature?: string;
  /** weight of the one-hot loss (paper, MNIST: 1) */
  readonly oneHotWeight?: number;
  /** weight of the activation loss (paper, MNIST: 0.1) */
  readonly activationWeight?: number;
  /** weight of the information-entropy loss (paper, MNIST: 5) */
  readonly entropyWeight?: number;
}

export const DAFL_DEFAULTS = {
  activationFeature: 'fc1',
  oneHotWeight: 1,
  activationWeight: 0.1,
  entropyWeight: 5,
  temperature: 1,
  generatorLearningRate: 0.2,
} as const;

/**
 * DAFL, Data-Free Learning of student networks (Chen et al., ICCV 2019). Per step (one iteration of the
 * official loop) with n = the trainer's batch size:
 *  1. z ~ N(0, I) [n, latentDim]; x = G(z) (batch-norm in training mode); the frozen teacher runs on x
 *     inside the generator's tape;
 *  2. the generator takes one step on  oh * L_oh + a * L_a + ie * L_ie  (see dafl-terms.ts);
 *  3. the student takes one step on KD(student(x), teacher(x)) with x and the teacher's logits as
 *     constants (the code's `gen_imgs.detach()`, `outputs_T.detach()`), i.e. on the same pre-update x.
 * The code backpropagates the sum once and steps both optimisers; the two updates here are the same
 * updates, since each loss reaches only its own model. Returned terms: oneHot, activation,
 * informationEntropy, generator (the weighted sum), kd, and total = generator + kd (the code's `loss`).
 */
export class Dafl extends GeneratorScheme {
  readonly name = 'dafl';
  private readonly feature: string;
  private readonly weights: { readonly oneHot: number; readonly activation: number; readonly entropy: number };

  constructor(options: DaflOptions) {
    super({ ...options, generatorOptimizer: options.generatorOptimizer ?? { name: 'adam', learningRate: DAFL_DEFAULTS.generatorLearningRate } }, 'dafl');
    const hint = 'DAFL uses oneHotWeight 1, activationWeight 0.1, entropyWeight 5 on MNIST';
    this.weights = {
      oneHot: requireNonNegative('dafl', 'oneHotWeight', options.oneHotWeight ?? DAFL_DEFAULTS.oneHotWeight, hint),
      activation: requireNonNegative('dafl', 'activationWeight', options.activationWeight ?? DAFL_DEFAULTS.activationWeight, hint),
      entropy: requireNonNegative('dafl', 'entropyWeight', options.entropyWeight ?? DAFL_DEFAULTS.entropyWeight, hint),
    };
    this.feature = options.activationFeature ?? DAFL_DEFAULTS.activationFeature;
  }

  protected validate(_context: SchemeContext, generator: Generator): void {
    if (this.weights.activation === 0) return;
    const shapes = tf.tidy(() => {
      const probe = generator.generate(tf.zeros([2, generator.latentDim]) as tf.Tensor2D, { training: false });
      return teacherFeatureShapes(this.base.teacher, probe);
    });
    requireFeature(`the teacher (needed by dafl's activation loss, option activationFeature)`, this.feature, shapes);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const { generator, generatorOptimizer, studentOptimizer, numClasses } = this.state();
    const { teacher, student } = this.base;
    const z = this.latent(batch.size, progress);
    const kept: { images?: tf.Tensor; teacherLogits?: tf.Tensor2D } = {};
    try {
      const generatorTerms = gradientStep(generatorOptimizer, generator.trainableVariables(), () => {
        const x = generator.generate(z, { training: true });
        const outputs = teacher.forward(x);
        const oneHot = oneHotLoss(outputs.logits);
        const informationEntropy = informationEntropyLoss(outputs.logits);
        const terms: LossTerms = { oneHot, informationEntropy };
        let total = tf.add(tf.mul(oneHot, this.weights.oneHot), tf.mul(informationEntropy, this.weights.entropy)) as tf.Scalar;
        if (this.weights.activation > 0) {
          const activation = activationLoss(outputs.features[this.feature] as tf.Tensor);
          terms['activation'] = activation;
          total = tf.add(total, tf.mul(activation, this.weights.activation)) as tf.Scalar;
        }
        // the pre-update samples and the teacher's view of them, kept as constants for the student
        kept.images = tf.keep(x.clone());
        kept.teacherLogits = tf.keep(outputs.logits.clone());
        return { total, terms };
      });
      const kd = distilStep(studentOptimizer, student, this.kd, kept.images as tf.Tensor, kept.teacherLogits as tf.Tensor2D, numClasses, progress);
      const generatorTotal = generatorTerms['total'] as tf.Scalar;
      delete generatorTerms['total'];
      return { ...generatorTerms, generator: generatorTotal, kd, total: tf.add(generatorTotal, kd) as tf.Scalar };
    } finally {
      tf.dispose([z, ...(kept.images ? [kept.images] : []), ...(kept.teacherLogits ? [kept.teacherLogits] : [])]);
    }
  }
}

export function dafl(options: DaflOptions): Dafl {
  return new Dafl(options);
}
