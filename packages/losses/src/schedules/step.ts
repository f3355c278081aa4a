import { ConfigError } from '@distillery/core';
import { clampFraction, resolveRamp, windowPosition } from './schedule.js';
import type { RampOptions, Schedule } from './schedule.js';

export interface StepScheduleOptions {
  /** one more value than boundaries: values[i] holds from boundaries[i - 1] (inclusive) to boundaries[i] */
  readonly values: readonly number[];
  /** increasing fractions in (0, 1] */
  readonly boundaries: readonly number[];
}

/** Piecewise-constant values, e.g. a learning-rate-style drop at fixed fractions of training. */
export function stepSchedule(options: StepScheduleOptions): Schedule {
  const { values, boundaries } = options;
  if (values.length !== boundaries.length + 1 || values.some((v) => !Number.isFinite(v))) {
    throw new ConfigError(
      `schedule: a step schedule needs finite values, one more than its ${boundaries.length} boundaries, got ${values.length}`,
      'e.g. values [10, 6, 4] with boundaries [0.3, 0.6]',
    );
  }
  boundaries.forEach((b, i) => {
    const previous = i === 0 ? 0 : (boundaries[i - 1] as number);
    if (!(Number.isFinite(b) && b > previous && b <= 1)) {
      throw new ConfigError(`schedule: step boundaries must increase inside (0, 1], got [${boundaries.join(', ')}]`, 'boundaries are fractions of training');
    }
  });
  return (fraction) => {
    const f = clampFraction(fraction);
    const passed = boundaries.filter((b) => f >= b).length;
    return values[passed] as number;
  };
}

/**
 * `from` to `to` in `stages` equal plateaus over the window: the stage index k = floor(t x stages)
 * (capped at stages - 1) gives from + (to - from) k / (stages - 1). One stage holds `from` until the
 * window ends and then jumps to `to`.
 */
export function steppedRamp(options: RampOptions & { readonly stages: number }): Schedule {
  const { from, to, start, end } = resolveRamp(options);
  const { stages } = options;
  if (!Number.isInteger(stages) || stages < 1) {
    throw new ConfigError(`schedule: stages must be a positive integer, got ${String(stages)}`, 'use e.g. 4 plateaus');
  }
  return (fraction) => {
    const t = windowPosition(fraction, start, end);
    if (stages === 1) return t >= 1 ? to : from;
    const stage = Math.min(stages - 1, Math.floor(t * stages));
    return from + ((to - from) * stage) / (stages - 1);
  };
}

export function constantSchedule(value: number): Schedule {
  resolveRamp({ from: value, to: value });
  return () => value;
}
