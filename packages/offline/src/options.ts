import type { OptimizerSpec, Student, Teacher, WeightedLoss } from '@distillery/core';

export interface OfflineDistillationOptions {
  /** frozen, pre-trained; omit to train the student on labels alone (the "student alone" baseline) */
  readonly teacher?: Teacher;
  readonly student: Student;
  /** distillation losses with their weights, e.g. [{ loss: kdLoss({ temperature: 4 }), weight: 1 }] */
  readonly losses?: readonly WeightedLoss[];
  /**
   * Share of the objective given to the distillation losses: total = (1 - alpha) * CE + alpha * sum(w_i * L_i).
   * Must lie in [0, 1]. Default 0.9 (Hinton et al. put a low weight on the hard labels).
   */
  readonly alpha?: number;
  readonly optimizer: OptimizerSpec;
  /**
   * Run the teacher over the training set once and reuse its logits by sample index. Used only for
   * un-augmented batches (augmented ones are sent through the teacher) and only when no loss needs
   * teacher features. Default true.
   */
  readonly cacheTeacherOutputs?: boolean;
}
