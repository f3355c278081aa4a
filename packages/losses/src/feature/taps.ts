import { ConfigError } from '@distillery/core';
import { requireSameLength, requireTapList } from './options.js';

/** Student and teacher taps paired by position. */
export interface TapPairs {
  readonly student: readonly string[];
  readonly teacher: readonly string[];
}

export function resolveTapPairs(loss: string, student: unknown, teacher: unknown, minimum = 1): TapPairs {
  const s = requireTapList(loss, 'studentFeatures', student, minimum);
  const t = requireTapList(loss, 'teacherFeatures', teacher, minimum);
  requireSameLength(loss, s, t);
  return { student: s, teacher: t };
}

/** Losses with owned variables (regressors, connectors, heads, memory) build them in prepare. */
export function requirePrepared(loss: string, prepared: boolean): void {
  if (!prepared) {
    throw new ConfigError(
      `loss "${loss}": compute() was called before prepare()`,
      'schemes call prepare(setup) before training; call it yourself when using the loss directly',
    );
  }
}
