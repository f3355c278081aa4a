import type { DistilleryPlugin, LossDefinition, SchemeDefinition } from './contracts/plugin.js';
import { RegistryError } from './errors.js';

/**
 * Methods by name. Plugins register themselves here; the core never imports a plugin.
 * The bench and suite files find every loss and scheme through a registry.
 */
export class Registry {
  private readonly lossDefinitions = new Map<string, LossDefinition>();
  private readonly schemeDefinitions = new Map<string, SchemeDefinition>();
  private readonly pluginNames = new Set<string>();

  register(plugin: DistilleryPlugin): this {
    if (this.pluginNames.has(plugin.name)) return this;
    for (const loss of plugin.losses ?? []) this.add(this.lossDefinitions, loss, plugin.name);
    for (const scheme of plugin.schemes ?? []) this.add(this.schemeDefinitions, scheme, plugin.name);
    this.pluginNames.add(plugin.name);
    return this;
  }

  loss(name: string): LossDefinition {
    return this.find(this.lossDefinitions, name, 'loss');
  }

  scheme(name: string): SchemeDefinition {
    return this.find(this.schemeDefinitions, name, 'scheme');
  }

  hasLoss(name: string): boolean {
    return this.lossDefinitions.has(name);
  }

  hasScheme(name: string): boolean {
    return this.schemeDefinitions.has(name);
  }

  losses(): LossDefinition[] {
    return [...this.lossDefinitions.values()];
  }

  schemes(): SchemeDefinition[] {
    return [...this.schemeDefinitions.values()];
  }

  plugins(): string[] {
    return [...this.pluginNames];
  }

  private add<T extends { name: string }>(map: Map<string, T>, definition: T, pluginName: string): void {
    if (map.has(definition.name)) {
      throw new RegistryError(
        'REGISTRY_DUPLICATE',
        `plugin "${pluginName}" registers "${definition.name}", which another plugin already registered`,
        'give the method a unique name (prefix it with your package name)',
      );
    }
    map.set(definition.name, definition);
  }

  private find<T>(map: Map<string, T>, name: string, what: string): T {
    const found = map.get(name);
    if (!found) {
      throw new RegistryError(
        'REGISTRY_UNKNOWN',
        `no ${what} named "${name}" is registered (known: ${[...map.keys()].join(', ') || 'none'})`,
        'install and register the plugin that provides it',
      );
    }
    return found;
  }
}
