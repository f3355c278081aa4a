import * as tf from '@tensorflow/tfjs';
import {
  gradientStep,
  requireChoice,
  requirePositiveInteger,
  type Batch,
  type LossTerms,
  type SchemeContext,
  type TrainingProgress,
} from '@distillery/core';
import { DISCREPANCIES, discrepancy, type Discrepancy } from '../losses/discrepancy.js';
import type { Generator } from '../generator/generator.js';
import { meanScalar } from './mean-scalar.js';
import { GeneratorScheme, type GeneratorSchemeOptions } from './generator-scheme.js';

export interface AdversarialDataFreeOptions extends Omit<GeneratorSchemeOptions, 'generatorOptimizer' | 'temperature'> {
  /** DFAD MNIST: Adam, lr 1e-3 */
  readonly generatorOptimizer?: GeneratorSchemeOptions['generatorOptimizer'];
  /** student updates per generator update (DFAD: 5; ZSKT: 10), each on freshly generated samples */
  readonly studentSteps?: number;
  /** 'l1' on logits (DFAD, default) or 'kl' (ZSKT-style) */
  readonly discrepancy?: Discrepancy;
}

export const DFAD_DEFAULTS = { studentSteps: 5, discrepancy: 'l1', generatorLearningRate: 1e-3 } as const;

/**
 * Adversarial data-free distillation (DFAD, Fang et al. 2019; ZSKT, Micaelli & Storkey 2019 with
 * discrepancy 'kl'). One trainer step is one iteration of the official loop, with n = the batch size:
 *  - `studentSteps` times: z ~ N(0, I) [n], x = G(z) outside any tape (a constant), teacher logits outside
 *    the tape, and one student update minimising D(student(x), teacher(x));
 *  - once: z ~ N(0, I) [n], x = G(z), and one generator update *maximising* D(student(x), teacher(x))
 *    (minimising -D) with gradients through both frozen networks into the generator only.
 * A step therefore generates (studentSteps + 1) x n samples and runs the teacher as often.
 * Terms: `student` (mean D over the student updates), `generator` (-D at the generator update) and
 * total = student, the quantity the scheme drives down.
 */
export class AdversarialDataFree extends GeneratorScheme {
  readonly name = 'dfad';
  private readonly studentSteps: number;
  private readonly kind: Discrepancy;

  constructor(options: AdversarialDataFreeOptions) {
    super({ ...options, generatorOptimizer: options.generatorOptimizer ?? { name: 'adam', learningRate: DFAD_DEFAULTS.generatorLearningRate } }, 'dfad');
    this.studentSteps = requirePositiveInteger('dfad', 'studentSteps', options.studentSteps ?? DFAD_DEFAULTS.studentSteps, 'DFAD takes 5 student steps per generator step');
    this.kind = requireChoice('dfad', 'discrepancy', options.discrepancy ?? DFAD_DEFAULTS.discrepancy, DISCREPANCIES);
  }

  protected validate(_context: SchemeContext, _generator: Generator): void {
    // nothing beyond the shared checks: the discrepancy needs logits only
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    const { generator, generatorOptimizer, studentOptimizer } = this.state();
    const { teacher, student } = this.base;
    const studentLosses: tf.Scalar[] = [];
    try {
      for (let k = 0; k < this.studentSteps; k++) {
        const z = this.latent(batch.size, progress, k);
        const x = generator.generate(z, { training: true });
        const teacherLogits = tf.tidy(() => teacher.forward(x).logits);
        const terms = gradientStep(studentOptimizer, student.trainableVariables(), () => ({
          total: discrepancy(this.kind, student.forward(x, { training: true }).logits, teacherLogits),
          terms: {},
        }));
        student.applyConstraints?.();
        studentLosses.push(terms['total'] as tf.Scalar);
        tf.dispose([z, x, teacherLogits]);
      }
      const z = this.latent(batch.size, progress, this.studentSteps);
      const generatorTerms = gradientStep(generatorOptimizer, generator.trainableVariables(), () => {
        const x = generator.generate(z, { training: true });
        const gap = discrepancy(this.kind, student.forward(x, { training: true }).logits, teacher.forward(x).logits);
        return { total: tf.neg(gap) as tf.Scalar, terms: {} };
      });
      z.dispose();
      const studentMean = meanScalar(studentLosses);
      return { student: studentMean, generator: generatorTerms['total'] as tf.Scalar, total: studentMean.clone() };
    } finally {
      tf.dispose(studentLosses);
    }
  }
}

export function adversarialDataFree(options: AdversarialDataFreeOptions): AdversarialDataFree {
  return new AdversarialDataFree(options);
}
