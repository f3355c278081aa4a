import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A package.json `exports` value: a path, conditions (in priority order), a fallback array, or null. */
type ExportTarget = string | null | { readonly [condition: string]: ExportTarget } | readonly ExportTarget[];

interface Manifest {
  readonly exports?: ExportTarget;
  readonly main?: string;
}

// The conditions Node's ESM loader matches for `import` (the bench is an ES module).
const CONDITIONS = new Set(['import', 'node', 'default']);

function pickTarget(target: ExportTarget | undefined): string | undefined {
  if (typeof target === 'string') return target;
  if (!target) return undefined;
  if (Array.isArray(target)) {
    for (const candidate of target as readonly ExportTarget[]) {
      const found = pickTarget(candidate);
      if (found) return found;
    }
    return undefined;
  }
  // Object keys keep their order: the first matching condition wins, as in Node.
  for (const [condition, value] of Object.entries(target as { readonly [condition: string]: ExportTarget })) {
    if (CONDITIONS.has(condition)) {
      const found = pickTarget(value);
      if (found) return found;
    }
  }
  return undefined;
}

/** The file a package's `subpath` ('.' or './x') maps to under Node's import conditions. */
function packageEntry(packageDir: string, subpath: string): string | undefined {
  if (!existsSync(join(packageDir, 'package.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
  const { exports } = manifest;
  let target: string | undefined;
  if (exports !== undefined && exports !== null) {
    const keyed = typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith('.'));
    if (keyed) target = pickTarget((exports as Record<string, ExportTarget>)[subpath]);
    else if (subpath === '.') target = pickTarget(exports);
  } else {
    target = subpath === '.' ? (manifest.main ?? 'index.js') : subpath;
  }
  return target ? join(packageDir, target) : undefined;
}

function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(nameLength).join('/');
  return { name: parts.slice(0, nameLength).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * Where a plugin lives, as a file URL for `import()`, looked up from `fromDir` (the user's project), not
 * from the bench's own folder: a plugin is installed in the project that runs the bench, which need not
 * be where the bench itself is installed. A specifier starting with '.' or '/' is a package folder or a
 * file. Returns undefined for a package name not installed above `fromDir`.
 */
export function resolvePluginUrl(specifier: string, fromDir: string): string | undefined {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = resolve(fromDir, specifier);
    if (!existsSync(path)) return undefined;
    const file = statSync(path).isDirectory() ? packageEntry(path, '.') : path;
    return file ? pathToFileURL(file).href : undefined;
  }
  const { name, subpath } = splitSpecifier(specifier);
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const packageDir = join(dir, 'node_modules', name);
    if (existsSync(join(packageDir, 'package.json'))) {
      const file = packageEntry(packageDir, subpath);
      return file ? pathToFileURL(file).href : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
