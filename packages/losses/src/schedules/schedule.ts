import { ConfigError } from '@distillery/core';

/**
 * A value as a function of training progress: `fraction` is steps done / total steps, in [0, 1]
 * (core's `TrainingProgress.fraction`). Values outside [0, 1] are clamped, so a schedule is safe to
 * call with a slightly overshooting fraction from a resumed run.
 */
export type Schedule = (fraction: number) => number;

/** Where a ramp runs: it holds `from` before `start`, moves during [start, end], holds `to` after `end`. */
export interface RampWindow {
  /** fraction where the ramp begins; default 0 */
  readonly start?: number;
  /** fraction where the ramp ends; default 1 */
  readonly end?: number;
}

export interface RampOptions extends RampWindow {
  readonly from: number;
  readonly to: number;
}

export function clampFraction(fraction: number): number {
  if (Number.isNaN(fraction)) return 0;
  return Math.min(1, Math.max(0, fraction));
}

function requireFinite(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`schedule: ${what} must be a finite number, got ${String(value)}`, 'schedule endpoints are plain numbers');
  }
  return value;
}

/** Validated endpoints and window of a ramp. */
export function resolveRamp(options: RampOptions): Required<RampOptions> {
  const from = requireFinite('from', options.from);
  const to = requireFinite('to', options.to);
  const start = requireFinite('start', options.start ?? 0);
  const end = requireFinite('end', options.end ?? 1);
  if (!(start >= 0 && end <= 1 && start <= end)) {
    throw new ConfigError(`schedule: window [${start}, ${end}] is not inside [0, 1] in order`, 'use 0 <= start <= end <= 1 (fractions of training)');
  }
  return { from, to, start, end };
}

/**
 * Progress through the ramp window in [0, 1]. A zero-length window is a jump at `start`: 0 before it,
 * 1 from it on, so `end: 0` means "already at `to` on the first step".
 */
export function windowPosition(fraction: number, start: number, end: number): number {
  const f = clampFraction(fraction);
  if (end === start) return f >= start ? 1 : 0;
  return clampFraction((f - start) / (end - start));
}
