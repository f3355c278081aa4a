import type { DistilleryPlugin } from '@distillery/core';
import { crossEntropyDefinition } from './cross-entropy.js';
import { featureRelationDefinitions } from './feature-relation.js';
import { kdDefinition } from './kd.js';
import { responseDefinitions } from './response/definitions.js';
import { textDefinitions } from './text/definitions.js';

/** Register with `registry.register(plugin)`; the bench and suite files then find losses by name. */
export const plugin: DistilleryPlugin = {
  name: '@distillery/losses',
  losses: [crossEntropyDefinition, kdDefinition, ...responseDefinitions, ...featureRelationDefinitions, ...textDefinitions],
};
