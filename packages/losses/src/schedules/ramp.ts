import { cosineSchedule } from './cosine.js';
import { linearSchedule } from './linear.js';
import type { RampOptions, Schedule } from './schedule.js';
import { steppedRamp } from './step.js';

export type RampKind = 'linear' | 'cosine' | 'step';
export const RAMP_KINDS: readonly RampKind[] = ['linear', 'cosine', 'step'];

/** A ramp chosen by name, so JSON options ("schedule": "cosine") can pick one. */
export function rampSchedule(kind: RampKind, options: RampOptions & { readonly stages?: number }): Schedule {
  switch (kind) {
    case 'linear':
      return linearSchedule(options);
    case 'cosine':
      return cosineSchedule(options);
    case 'step':
      return steppedRamp({ ...options, stages: options.stages ?? 4 });
  }
}
