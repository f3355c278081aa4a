import { ConfigError, requireChoice, requireFraction, requirePositive, type OptimizerSpec, type Student, type Teacher } from '@distillery/core';
import { kdLoss } from '@distillery/losses';
import { offlineDistillation } from '@distillery/offline';
import { NamedScheme } from '../named-scheme.js';
import { ensembleTeacher } from './ensemble-teacher.js';

/** Which earlier generations teach: the last one (BAN) or the ensemble of all of them. */
export type BornAgainTeacher = 'previous' | 'ensemble';
export const BORN_AGAIN_TEACHERS: readonly BornAgainTeacher[] = ['previous', 'ensemble'];

export interface BornAgainGenerationOptions {
  /** the frozen earlier generations, oldest first; empty for generation 0 (trained on labels) */
  readonly previous: readonly Teacher[];
  readonly student: Student;
  readonly optimizer: OptimizerSpec;
  /** default 1: BAN matches the teacher's plain output distribution */
  readonly temperature?: number;
  /** share of the KD term, total = (1 - alpha) CE + alpha T^2 KL(teacher || student); default 1 (BAN: teacher only) */
  readonly alpha?: number;
  /** default 'previous' */
  readonly teacher?: BornAgainTeacher;
  /** reuse the frozen teacher's logits by sample index; default true */
  readonly cacheTeacherOutputs?: boolean;
}

export const BORN_AGAIN_DEFAULTS = { temperature: 1, alpha: 1, teacher: 'previous', cacheTeacherOutputs: true } as const;

/**
 * One born-again generation (Furlanello et al., ICML 2018) as a scheme: the offline scheme with the
 * previous generation (or the ensemble of all previous ones) as its frozen teacher, named
 * 'born-again'. Generation 0 has no teacher and learns from the labels.
 */
export function bornAgainGeneration(options: BornAgainGenerationOptions): NamedScheme {
  const d = BORN_AGAIN_DEFAULTS;
  const temperature = requirePositive('born-again', 'temperature', options.temperature ?? d.temperature);
  const alpha = requireFraction('born-again', 'alpha', options.alpha ?? d.alpha, 'alpha mixes two targets or losses');
  const mode = requireChoice('born-again', 'teacher', options.teacher ?? d.teacher, BORN_AGAIN_TEACHERS);
  const { previous, student, optimizer } = options;
  const cacheTeacherOutputs = options.cacheTeacherOutputs ?? d.cacheTeacherOutputs;
  if (previous.length === 0) return new NamedScheme('born-again', offlineDistillation({ student, optimizer, cacheTeacherOutputs }));
  const last = previous[previous.length - 1] as Teacher;
  const teacher = mode === 'ensemble' && previous.length > 1 ? ensembleTeacher(previous) : last;
  if (previous.some((t) => t.numClasses !== student.numClasses)) {
    throw new ConfigError(`born-again: every generation must predict ${student.numClasses} classes`, 'build each generation with the same architecture and class count');
  }
  return new NamedScheme(
    'born-again',
    offlineDistillation({ teacher, student, losses: [{ loss: kdLoss({ temperature }), weight: 1 }], alpha, optimizer, cacheTeacherOutputs }),
  );
}
