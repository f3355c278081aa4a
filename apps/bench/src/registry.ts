import { Registry } from '@distillery/core';
import losses from '@distillery/losses';
import offline from '@distillery/offline';

/** Every method the bench knows, found by registry name. */
export function createRegistry(): Registry {
  return new Registry().register(losses).register(offline);
}
