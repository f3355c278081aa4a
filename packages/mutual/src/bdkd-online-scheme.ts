import * as tf from '@tensorflow/tfjs';
import { requireNonNegative, requirePositive, type Classifier, type Objective, type OptimizerSpec, type TrainableModel } from '@distillery/core';
import { bdkdLoss, crossEntropy, kdLoss, type BdkdLoss, type KdLoss } from '@distillery/losses';
import { assertCohort } from './checks.js';
import { CohortScheme, cohortSettings } from './cohort-scheme.js';
import { lossContext } from './context.js';
import type { TargetMode } from './targets.js';
import type { LearnerObjectiveArgs, UpdateOrder } from './updates.js';

export interface BdkdOnlineOptions {
  /** the small model the method is centred on */
  readonly student: TrainableModel;
  /** the larger model trained alongside it */
  readonly teacher: TrainableModel;
  readonly optimizer: OptimizerSpec;
  /** softens both sides of every divergence; default 4 */
  readonly temperature?: number;
  /** weight of the student's balanced divergence; default 1 */
  readonly studentWeight?: number;
  /** weight of the teacher's reverse-KL regulariser; default 1 */
  readonly teacherWeight?: number;
  /** BD-KD's per-sample weights (see @distillery/losses' bdkdLoss); defaults 2 and 1 */
  readonly emphasisWeight?: number;
  readonly baseWeight?: number;
  /** default 'simultaneous': both models learn from each other's predictions taken before the step */
  readonly updateOrder?: UpdateOrder;
  readonly targetMode?: TargetMode;
  readonly ownedModels?: readonly TrainableModel[];
}

export const BDKD_ONLINE_DEFAULTS = {
  temperature: 4,
  studentWeight: 1,
  teacherWeight: 1,
  emphasisWeight: 2,
  baseWeight: 1,
  updateOrder: 'simultaneous',
  targetMode: 'inference',
} as const;

const STUDENT = 0;
const TEACHER = 1;

/**
 * Online BD-KD (Amara et al. 2022): a small student and a larger teacher trained together, with the
 * objective tilted towards the student.
 *
 *   student: CE(y, p_S) + studentWeight x bdkd(p_S; p_T)                 (@distillery/losses' bdkdLoss)
 *   teacher: CE(y, p_T) + teacherWeight x T^2 KL(p_T || p_S)             (reverse KL as a regulariser)
 *
 * bdkd weighs forward KL(p_T || p_S) and reverse KL(p_S || p_T) per sample by comparing the entropies
 * of the softened outputs, so an over-confident student is spread and an under-confident one sharpened.
 * Each side's target is the other's detached prediction.
 */
export class BdkdOnline extends CohortScheme {
  readonly name = 'bdkd-online';
  private readonly ce = crossEntropy();
  private readonly balanced: BdkdLoss;
  private readonly reverse: KdLoss;
  private readonly studentWeight: number;
  private readonly teacherWeight: number;

  constructor(options: BdkdOnlineOptions) {
    assertCohort('bdkd-online', [options.student, options.teacher], 2, 'models (a student and a teacher)');
    const d = BDKD_ONLINE_DEFAULTS;
    const temperature = requirePositive('bdkd-online', 'temperature', options.temperature ?? d.temperature);
    super(
      [
        { key: 'student', model: options.student },
        { key: 'teacher', model: options.teacher },
      ],
      cohortSettings('bdkd-online', options, d),
    );
    this.studentWeight = requireNonNegative('bdkd-online', 'studentWeight', options.studentWeight ?? d.studentWeight);
    this.teacherWeight = requireNonNegative('bdkd-online', 'teacherWeight', options.teacherWeight ?? d.teacherWeight);
    this.balanced = bdkdLoss({ temperature, emphasisWeight: options.emphasisWeight ?? d.emphasisWeight, baseWeight: options.baseWeight ?? d.baseWeight });
    // kd's 'reverse' is KL(p_learner || p_target): with the teacher as the learner, KL(p_T || p_S).
    this.reverse = kdLoss({ temperature, direction: 'reverse' });
  }

  sources(index: number): readonly number[] {
    return [index === STUDENT ? TEACHER : STUDENT];
  }

  objective({ index, outputs, targets, batch, progress }: LearnerObjectiveArgs): Objective {
    const ce = this.ce.compute(lossContext(outputs, undefined, batch, progress, this.numClasses))['ce'] as tf.Scalar;
    const context = lossContext(outputs, targets.get(this.sources(index)[0] as number), batch, progress, this.numClasses);
    if (index === STUDENT) {
      const bdkd = this.balanced.compute(context)['bdkd'] as tf.Scalar;
      return { total: tf.add(ce, tf.mul(bdkd, this.studentWeight)) as tf.Scalar, terms: { ce, bdkd } };
    }
    const reverseKl = this.reverse.compute(context)['kd'] as tf.Scalar;
    return { total: tf.add(ce, tf.mul(reverseKl, this.teacherWeight)) as tf.Scalar, terms: { ce, reverseKl } };
  }

  /** the online teacher, for agreement metrics */
  referenceModel(): Classifier {
    return (this.learners[TEACHER] as { model: TrainableModel }).model;
  }
}

export function bdkdOnline(options: BdkdOnlineOptions): BdkdOnline {
  return new BdkdOnline(options);
}
