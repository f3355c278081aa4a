import { resolveRamp, windowPosition } from './schedule.js';
import type { RampOptions, Schedule } from './schedule.js';

/**
 * Half-cosine from `from` to `to` over the window: from + (to - from) (1 - cos(pi t)) / 2, flat at both
 * ends. CTKD's curriculum for lambda is this with from = 0 (Li et al. 2023, the CosineDecay of the
 * official code with max 0, min -1, negated).
 */
export function cosineSchedule(options: RampOptions): Schedule {
  const { from, to, start, end } = resolveRamp(options);
  return (fraction) => from + ((to - from) * (1 - Math.cos(Math.PI * windowPosition(fraction, start, end)))) / 2;
}
