import { resolveRamp, windowPosition } from './schedule.js';
import type { RampOptions, Schedule } from './schedule.js';

/** Straight line from `from` to `to` over the window (DKD's warm-up: weight 0 -> 1 over the first epochs). */
export function linearSchedule(options: RampOptions): Schedule {
  const { from, to, start, end } = resolveRamp(options);
  return (fraction) => from + (to - from) * windowPosition(fraction, start, end);
}
