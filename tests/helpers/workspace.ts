import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly license?: string;
  readonly type?: string;
  readonly keywords?: readonly string[];
  readonly sideEffects?: boolean | readonly string[];
  readonly exports?: Record<string, unknown>;
  readonly main?: string;
  readonly module?: string;
  readonly types?: string;
  readonly files?: readonly string[];
  readonly engines?: Readonly<Record<string, string>>;
  readonly scripts?: Readonly<Record<string, string>>;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly publishConfig?: Readonly<Record<string, string>>;
}

export interface WorkspacePackage {
  readonly name: string;
  /** absolute path */
  readonly dir: string;
  /** e.g. packages/core */
  readonly path: string;
  readonly manifest: Manifest;
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every workspace package (packages/* and apps/*), whatever exists today, sorted by path. */
export function workspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(ROOT, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, entry);
      if (!existsSync(join(dir, 'package.json'))) continue;
      const manifest = readManifest(dir);
      out.push({ name: manifest.name, dir, path: `${group}/${entry}`, manifest });
    }
  }
  return out;
}

/**
 * Packages left out of the packing, browser and publishing tests, by name: only for local runs while a
 * package is half-written (DISTILLERY_TEST_SKIP_PACKAGES=@distillery/x,@distillery/y). CI sets nothing.
 */
export function skippedPackages(): Set<string> {
  return new Set((process.env['DISTILLERY_TEST_SKIP_PACKAGES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** The packages users install: every non-private package under packages/. */
export function libraryPackages(): WorkspacePackage[] {
  const skipped = skippedPackages();
  return workspacePackages().filter((p) => p.path.startsWith('packages/') && !p.manifest.private && !skipped.has(p.name));
}

/** The newest modification time of any file below `dir` (0 when absent). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(dir)) newest = Math.max(newest, newestMtime(join(dir, entry)));
  return newest;
}

function oldestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of readdirSync(dir)) oldest = Math.min(oldest, oldestMtime(join(dir, entry)));
  return oldest === Number.POSITIVE_INFINITY ? 0 : oldest;
}

/** Packages whose dist/ is missing or older than their sources and build configuration. */
export function stalePackages(): WorkspacePackage[] {
  const skipped = skippedPackages();
  return workspacePackages().filter((p) => {
    if (!p.manifest.scripts?.['build'] || skipped.has(p.name)) return false;
    const built = oldestMtime(join(p.dir, 'dist'));
    const sources = Math.max(newestMtime(join(p.dir, 'src')), newestMtime(join(p.dir, 'package.json')), newestMtime(join(p.dir, 'tsup.config.ts')));
    return built === 0 || sources > built;
  });
}

/**
 * Builds with turbo when any package's dist/ is stale. `npm test` builds everything before vitest starts,
 * so there this is a file-time check only, and no second turbo runs beside the other test files.
 */
export async function ensureBuilt(): Promise<void> {
  const stale = stalePackages();
  if (stale.length === 0) return;
  const filters = [...skippedPackages()].map((name) => `--filter=!${name}`);
  const result = await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...filters], { cwd: ROOT, env: { TURBO_TELEMETRY_DISABLED: '1' }, timeoutMs: 900_000 });
  if (result.code !== 0) throw new Error(`build failed (stale: ${stale.map((p) => p.name).join(', ')}):\n${result.stdout}\n${result.stderr}`);
}
