import { InvalidArgumentError } from 'commander';

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** a run failed (the others finished and are saved), or an unexpected error */
  failed: 1,
  /** bad usage or an invalid suite file: nothing was run */
  usage: 2,
  /** interrupted (Ctrl-C): finished runs are saved, a re-run resumes */
  interrupted: 130,
} as const;

export function parseSeeds(value: string): number[] {
  const seeds = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new InvalidArgumentError('give non-negative integers separated by commas, e.g. 1,2,3');
  return seeds;
}

export function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 0) throw new InvalidArgumentError('give a whole number >= 0 (0 runs in the main thread)');
  return workers;
}
