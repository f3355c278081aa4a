import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, libraryPackages, readManifest, ROOT, workspacePackages, type WorkspacePackage } from '../helpers/workspace.js';

/**
 * Each library package's package.json is complete for publishing, and TensorFlow.js is declared so that a
 * user's project gets exactly one tfjs-core: an exact peer dependency, the same version everywhere, the
 * Node bindings as optional peers only, and nothing bundled or imported that the manifest does not declare.
 */
const LIBRARIES = libraryPackages();
const ROOT_MANIFEST = readManifest(ROOT);
const TFJS = readManifest(join(ROOT, 'packages', 'core')).peerDependencies?.['@tensorflow/tfjs'];
const TFJS_NODE = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
const BUILTINS = new Set(builtinModules);

const dependencyFields = ['dependencies', 'devDependencies', 'peerDependencies'] as const;

/** Every file below `dir` whose name passes `keep`. */
function filesBelow(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesBelow(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

/** The package a bare specifier names ('@scope/name/sub' -> '@scope/name'); undefined for relative, builtin and data: specifiers. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  return BUILTINS.has(name) ? undefined : name;
}

/** Bare specifiers in built ES modules: static imports/exports and dynamic imports of string literals. */
function importedPackages(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"'\s]+)["']/gm, // import x from '...'; export * from '...'
    /^\s*import\s*["']([^"'\s]+)["']/gm, // import '...'
    /\bimport\(\s*["']([^"'\s]+)["']\s*\)/g, // import('...')
  ];
  const specifiers = patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] ?? ''));
  return specifiers.map(packageOf).filter((name): name is string => name !== undefined);
}

interface ConditionMap {
  readonly [condition: string]: string | ConditionMap;
}

describe.each(LIBRARIES.map((pkg) => [pkg.name, pkg] as const))('%s package.json', (_name, pkg: WorkspacePackage) => {
  const m = pkg.manifest;

  it('names, describes and licenses the package for the registry', () => {
    expect(m.name).toBe(`@distillery/${pkg.path.replace(/^packages\//, '')}`);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(m.description?.length ?? 0).toBeGreaterThan(20);
    expect(m.license).toBe(ROOT_MANIFEST.license);
    expect(m.keywords).toContain('knowledge-distillation');
    expect(m.publishConfig?.['access']).toBe('public');
    expect(m.private).toBeUndefined();
    expect(existsSync(join(pkg.dir, 'README.md'))).toBe(true);
  });

  it('ships dist and its README only, ESM first, with sideEffects and engines declared', () => {
    expect(m.type).toBe('module');
    expect(m.files).toContain('dist');
    expect(m.files).toContain('README.md');
    expect(m.files?.some((f) => /^(src|test)\b/.test(f))).toBe(false);
    expect(m.sideEffects).toBe(false);
    expect(m.engines?.['node']).toBe(ROOT_MANIFEST.engines?.['node']);
  });

  it('exports ESM and CommonJS (or ESM for both) with types first, plus ./package.json', () => {
    const exportsMap = m.exports as Record<string, string | ConditionMap> | undefined;
    expect(exportsMap?.['./package.json']).toBe('./package.json');
    const subpaths = Object.keys(exportsMap ?? {}).filter((key) => key !== './package.json');
    expect(subpaths).toContain('.');
    for (const subpath of subpaths) {
      const conditions = exportsMap?.[subpath] as ConditionMap;
      const keys = Object.keys(conditions);
      const where = `exports["${subpath}"]`;
      // workspace sources first: the condition only this repository sets
      expect(keys[0], where).toBe('@distillery/source');
      if ('import' in conditions) {
        const esm = conditions['import'] as ConditionMap;
        expect(Object.keys(esm), `${where}.import`).toEqual(['types', 'default']);
        expect(esm['default'], `${where}.import`).toMatch(/^\.\/dist\/.+\.js$/);
        expect(esm['types'], `${where}.import`).toMatch(/^\.\/dist\/.+\.d\.ts$/);
        const cjs = conditions['require'] as ConditionMap | undefined;
        expect(cjs, `${where}.require`).toBeDefined();
        expect(Object.keys(cjs ?? {}), `${where}.require`).toEqual(['types', 'default']);
        expect(cjs?.['default'], `${where}.require`).toMatch(/^\.\/dist\/.+\.cjs$/);
        expect(cjs?.['types'], `${where}.require`).toMatch(/^\.\/dist\/.+\.d\.cts$/);
      } else {
        // ESM only (testkit: vitest cannot be required); Node >= 20.19 require()s ES modules
        expect(keys.slice(1), where).toEqual(['types', 'default']);
        expect(conditions['default'], where).toMatch(/^\.\/dist\/.+\.js$/);
      }
    }
    const root = exportsMap?.['.'] as ConditionMap;
    const importTypes = 'import' in root ? (root['import'] as ConditionMap)['types'] : root['types'];
    expect(m.types).toBe(importTypes);
  });

  it('takes TensorFlow.js as an exact peer, the same version as every other package, never as a dependency', () => {
    expect(m.peerDependencies?.['@tensorflow/tfjs']).toBe(TFJS);
    expect(m.dependencies?.['@tensorflow/tfjs']).toBeUndefined();
    for (const field of dependencyFields) {
      for (const [dep, range] of Object.entries(m[field] ?? {})) {
        if (dep.startsWith('@tensorflow/')) expect(range, `${field}.${dep}`).toBe(TFJS);
      }
    }
  });

  it('declares tfjs-node and tfjs-node-gpu only as optional peers, where backend detection looks for them', () => {
    const sources = filesBelow(join(pkg.dir, 'src'), (name) => name.endsWith('.ts')).map((file) => readFileSync(file, 'utf8'));
    for (const binding of TFJS_NODE) {
      expect(m.dependencies?.[binding], `dependencies.${binding}`).toBeUndefined();
      const looksForIt = sources.some((text) => text.includes(`'${binding}'`));
      if (looksForIt || m.peerDependencies?.[binding]) {
        expect(m.peerDependencies?.[binding], `peerDependencies.${binding}`).toBe(TFJS);
        expect(m.peerDependenciesMeta?.[binding]?.optional, `peerDependenciesMeta.${binding}.optional`).toBe(true);
      }
    }
  });

  it('depends on sibling packages with caret ranges their versions satisfy, never as peers', () => {
    const versions = new Map(workspacePackages().map((p) => [p.name, p.manifest.version]));
    for (const field of dependencyFields) {
      for (const [dep, range] of Object.entries(pkg.manifest[field] ?? {})) {
        if (!dep.startsWith('@distillery/')) continue;
        // a sibling as a peer would be major-bumped by changesets on every release of the sibling
        expect(field, `${dep} must be a dependency, not a peer`).not.toBe('peerDependencies');
        expect(range, `${field}.${dep}`).toBe(`^${versions.get(dep)}`);
      }
    }
  });
});

describe('built files import only what package.json declares', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 900_000);

  it.each(LIBRARIES.map((pkg) => [pkg.name, pkg] as const))('%s', (_name, pkg) => {
    const declared = new Set([pkg.name, ...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})]);
    const undeclared = new Set<string>();
    for (const file of filesBelow(join(pkg.dir, 'dist'), (name) => name.endsWith('.js'))) {
      for (const name of importedPackages(file)) if (!declared.has(name)) undeclared.add(name);
    }
    expect([...undeclared], `${pkg.path}/dist imports packages its package.json does not declare (add them to dependencies or peerDependencies)`).toEqual([]);
  });
});

describe('one TensorFlow.js', () => {
  it('every package.json in the repository names the same @tensorflow/* version', () => {
    const mismatches: string[] = [];
    for (const manifest of [ROOT_MANIFEST, ...workspacePackages().map((p) => p.manifest)]) {
      for (const field of dependencyFields) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (dep.startsWith('@tensorflow/') && range !== TFJS) mismatches.push(`${manifest.name} ${field}.${dep}: ${range}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('the workspace installed exactly one @tensorflow/tfjs-core', () => {
    const copies = [ROOT, ...workspacePackages().map((p) => p.dir)].filter((dir) => existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json')));
    expect(copies).toEqual([ROOT]);
  });

  it('the app stays private', () => {
    for (const app of workspacePackages().filter((p) => p.path.startsWith('apps/'))) expect(app.manifest.private, app.name).toBe(true);
  });
});
