import { rejectUnknownOptions, requireBoolean, requireChoice, requirePositive } from '@distillery/core';
import { REDUCTIONS } from '../divergence.js';
import type { Reduction } from '../divergence.js';

/**
 * The options of a loss that compares temperature-softened outputs with one divergence (js, reverse-kl).
 * A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`.
 */
export type SoftenedDivergenceOptions = {
  readonly temperature: number;
  readonly scaleByT2: boolean;
  readonly reduction: Reduction;
};

/** Checks `options` merged over `defaults` for the loss called `name`. */
export function resolveSoftenedDivergenceOptions(
  name: string,
  options: Partial<SoftenedDivergenceOptions>,
  defaults: SoftenedDivergenceOptions,
): SoftenedDivergenceOptions {
  rejectUnknownOptions(name, options, Object.keys(defaults));
  const merged = { ...defaults, ...options };
  return {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'use a temperature > 0, e.g. 1 or 4'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
    reduction: requireChoice(name, 'reduction', merged.reduction, REDUCTIONS),
  };
}
