import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, libraryPackages, ROOT, type WorkspacePackage } from '../helpers/workspace.js';

/**
 * Browser safety: every entry point of every library package, except the Node-only ones below, bundles
 * for the browser (esbuild, platform "browser", from the built dist) without importing a Node built-in
 * (fs, path, worker_threads, node:*, ...). Node-only code sits behind a "./node" subpath.
 */
const NODE_ONLY: Readonly<Record<string, string>> = {
  '@distillery/backend-native': 'an N-API addon calling OpenBLAS: Node by nature (browsers use webgl or wasm)',
};
/** Subpaths that may use Node: file loaders, checkpoints on disk. */
const isNodeSubpath = (subpath: string): boolean => subpath === './node' || subpath.startsWith('./node/');

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? '');

interface BuiltinImport {
  readonly importer: string;
  readonly specifier: string;
}

/** esbuild plugin: records Node built-ins imported by this repository's files (third-party code is left to esbuild's browser resolution). */
function recordBuiltins(found: BuiltinImport[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path) || !args.importer.startsWith(ROOT) || args.importer.includes('/node_modules/')) return undefined;
        found.push({ importer: relative(ROOT, args.importer), specifier: args.path });
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles a built entry file for the browser and returns the built-ins it reaches in this repository's code. */
async function builtinsReachedFrom(file: string): Promise<BuiltinImport[]> {
  const found: BuiltinImport[] = [];
  await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
    // tfjs is checked by its authors; it also has a browser field for its optional Node parts.
    external: ['@tensorflow/*'],
    plugins: [recordBuiltins(found)],
  });
  return found;
}

interface Entry {
  readonly specifier: string;
  /** the ES module file the subpath maps to (its import condition), so no workspace link is needed */
  readonly file: string;
}

function browserEntries(pkg: WorkspacePackage): Entry[] {
  const exportsMap = (pkg.manifest.exports ?? {}) as Record<string, Record<string, unknown>>;
  return Object.keys(exportsMap)
    .filter((key) => key.startsWith('.') && !key.endsWith('.json') && !key.includes('*') && !isNodeSubpath(key))
    .map((key) => {
      const conditions = exportsMap[key] ?? {};
      const esm = (conditions['import'] as Record<string, string> | undefined)?.['default'] ?? (conditions['default'] as string | undefined) ?? '';
      return { specifier: key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, file: join(pkg.dir, esm) };
    });
}

const CHECKED = libraryPackages().filter((pkg) => !(pkg.name in NODE_ONLY));

beforeAll(async () => {
  await ensureBuilt();
}, 900_000);

describe('browser entry points import no Node built-ins', () => {
  it('checks the core, losses, models and scheme packages (every library package but the Node-only ones)', () => {
    const names = CHECKED.map((p) => p.name);
    for (const required of ['@distillery/core', '@distillery/losses', '@distillery/models', '@distillery/offline']) expect(names).toContain(required);
  });

  it.each(CHECKED.flatMap((pkg) => browserEntries(pkg).map((entry) => [entry.specifier, entry] as const)))('%s', async (_specifier, entry) => {
    const found = await builtinsReachedFrom(entry.file);
    const lines = found.map((f) => `${f.importer} imports "${f.specifier}"`);
    expect(lines, `move Node-only code behind the package's "./node" entry`).toEqual([]);
  });
});
