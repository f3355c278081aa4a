import { Registry, type DistilleryPlugin } from '@distillery/core';
import { externalPlugins } from './plugins/external-plugins.js';

/**
 * Every plugin package the bench knows. Registering one is one line here (plus the package in
 * apps/bench/package.json): its schemes and losses then work in suite files by registry name.
 */
const PLUGIN_MODULES: ReadonlyArray<{ readonly default: DistilleryPlugin }> = await Promise.all([
  import('@distillery/losses'),
  import('@distillery/offline'),
  import('@distillery/mutual'),
  import('@distillery/self'),
  import('@distillery/multi-teacher'),
  import('@distillery/teacher-assistant'),
  import('@distillery/adversarial'),
  import('@distillery/data-free'),
]);

export const PLUGINS: readonly DistilleryPlugin[] = PLUGIN_MODULES.map((module) => module.default);

/** A registry holding every plugin above and those loaded with `--plugin`; methods are found by name. */
export function createRegistry(): Registry {
  const registry = new Registry();
  for (const plugin of [...PLUGINS, ...externalPlugins()]) registry.register(plugin);
  return registry;
}
