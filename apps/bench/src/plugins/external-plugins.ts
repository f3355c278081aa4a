import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type DistilleryPlugin } from '@distillery/core';
import { resolvePluginUrl } from './resolve-package.js';

/**
 * Plugin packages named at run time (`--plugin <package>`), beside the built-in ones in registry.ts.
 * The list also lives in this environment variable: worker threads start with a copy of the
 * environment, so each loads the same plugins before it builds its registry.
 */
export const PLUGINS_ENV = 'DISTILLERY_BENCH_PLUGINS';

const loaded = new Map<string, DistilleryPlugin>();

/** The plugins loaded so far, in load order. */
export function externalPlugins(): DistilleryPlugin[] {
  return [...loaded.values()];
}

function isPlugin(value: unknown): value is DistilleryPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const { name, losses, schemes } = value as Record<string, unknown>;
  return typeof name === 'string' && (Array.isArray(losses) || Array.isArray(schemes));
}

/** The plugin object of a loaded module: its default export or its `plugin` export (also through CommonJS interop). */
function pluginOf(module: Record<string, unknown>, specifier: string): DistilleryPlugin {
  const inner = module['default'] as Record<string, unknown> | undefined;
  const found = [module['default'], module['plugin'], inner?.['default'], inner?.['plugin']].find(isPlugin);
  if (!found) {
    throw new ConfigError(
      `"${specifier}" exports no Distillery plugin`,
      'export the plugin object ({ name, losses?, schemes? }) as the default export and as `plugin`',
    );
  }
  return found;
}

/** Paths are kept absolute so worker threads (and later loads) resolve them alike. */
const keyOf = (specifier: string, fromDir: string): string =>
  specifier.startsWith('.') ? resolve(fromDir, specifier) : specifier;

/**
 * Imports plugin packages by name (or path), looked up from `fromDir` first and then from the bench's own
 * location, and remembers them for `createRegistry()` in this thread and in worker threads started later.
 */
export async function loadExternalPlugins(specifiers: readonly string[], fromDir = process.cwd()): Promise<DistilleryPlugin[]> {
  for (const specifier of specifiers) {
    const key = keyOf(specifier, fromDir);
    if (loaded.has(key)) continue;
    let module: Record<string, unknown>;
    try {
      const url = resolvePluginUrl(key, fromDir);
      module = (await import(/* @vite-ignore */ url ?? key)) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(
        `cannot load plugin "${specifier}": ${error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error)}`,
        `install it in this project (npm install ${isAbsolute(key) ? '<its folder>' : specifier}) or pass the path of its folder`,
      );
    }
    loaded.set(key, pluginOf(module, specifier));
  }
  if (loaded.size > 0) process.env[PLUGINS_ENV] = [...loaded.keys()].join(',');
  return externalPlugins();
}

function fromEnvironment(): string[] {
  const value = typeof process === 'undefined' ? undefined : process.env[PLUGINS_ENV];
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// Worker threads and library users name plugins in the environment: load them before any registry is built.
await loadExternalPlugins(fromEnvironment());
