import type { TrainableModel } from '@distillery/core';

/** A link whose learner has more parameters than its teacher: allowed, but almost never what TAKD intends. */
export interface CapacityWarning {
  readonly code: 'ASSISTANT_LARGER_THAN_TEACHER';
  /** chain position of the learner (1 = the first assistant) */
  readonly link: number;
  readonly teacher: string;
  readonly learner: string;
  readonly teacherParams: number;
  readonly learnerParams: number;
  readonly message: string;
}

export type WarningHandler = (warning: CapacityWarning) => void;

/** The default handler; pass `onWarning` to collect warnings instead (tests, UIs). */
export const consoleWarning: WarningHandler = (warning) => console.warn(`[@distillery/teacher-assistant] ${warning.message}`);

/**
 * TAKD bridges the capacity gap with models of *decreasing* size (teacher > assistant(s) > student).
 * Returns one warning per link whose learner has more trainable parameters than its teacher.
 */
export function capacityWarnings(models: readonly TrainableModel[]): CapacityWarning[] {
  const warnings: CapacityWarning[] = [];
  for (let i = 1; i < models.length; i++) {
    const teacher = models[i - 1] as TrainableModel;
    const learner = models[i] as TrainableModel;
    const teacherParams = teacher.countParams();
    const learnerParams = learner.countParams();
    if (learnerParams > teacherParams) {
      warnings.push({
        code: 'ASSISTANT_LARGER_THAN_TEACHER',
        link: i,
        teacher: teacher.name,
        learner: learner.name,
        teacherParams,
        learnerParams,
        message: `stage ${i} "${learner.name}" has ${learnerParams} parameters, more than its teacher "${teacher.name}" (${teacherParams}); a teacher assistant should be smaller than its teacher`,
      });
    }
  }
  return warnings;
}
