import { ConfigError } from '@distillery/core';
import type { LossSetup } from '@distillery/core';
import type { FeatureSide } from '../feature/features.js';
import { availableLayers, layerTap, missingLayer } from './taps.js';

/** A layer number as in the `<prefix>.<i>` taps, or 'last' (the model's highest). */
export type LayerChoice = number | 'last';

export function requireLayerChoice(loss: string, option: string, value: unknown): LayerChoice {
  if (value === 'last' || (typeof value === 'number' && Number.isInteger(value) && value >= 1)) return value;
  throw new ConfigError(`${loss}: ${option} must be a layer number >= 1 or "last", got ${JSON.stringify(value)}`, 'MiniLM distils the last layer ("last"); MiniLMv2 an upper-middle one');
}

/** The tap `requires` can name before the model is known: the chosen layer, or layer 1 for 'last'. */
export function declaredTap(prefix: string, choice: LayerChoice): string {
  return layerTap(prefix, choice === 'last' ? 1 : choice);
}

/** The concrete layer for this model; MissingFeatureError listing its layers when absent. */
export function chooseLayer(loss: string, side: FeatureSide, prefix: string, choice: LayerChoice, setup: LossSetup): number {
  const available = availableLayers(side === 'student' ? setup.studentFeatureShapes : setup.teacherFeatureShapes, prefix);
  const layer = choice === 'last' ? available[available.length - 1] : choice;
  if (layer === undefined || !available.includes(layer)) throw missingLayer(loss, side, prefix, choice === 'last' ? 1 : choice, available);
  return layer;
}
