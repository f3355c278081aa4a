import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, libraryPackages, readManifest, ROOT, workspacePackages } from './workspace.js';
import { run, tail } from './run.js';

export interface PackedPackage {
  readonly name: string;
  /** the tarball, inside the consumer project */
  readonly tarball: string;
  /** paths inside the tarball, relative to its package folder */
  readonly files: readonly string[];
}

/** A fresh project outside the workspace with every packed package installed from its tarball. */
export interface Consumer {
  readonly dir: string;
  readonly packed: ReadonlyMap<string, PackedPackage>;
  /** true when an earlier run had installed exactly these tarballs already */
  readonly reused: boolean;
}

interface PackJsonEntry {
  readonly name: string;
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/** The registry packages installed beside the tarballs: tfjs (the peer), and the plugin template's tools. */
function registrySpecs(): string[] {
  const root = readManifest(ROOT);
  const dev = root.devDependencies ?? {};
  const core = readManifest(join(ROOT, 'packages', 'core'));
  const tfjs = core.peerDependencies?.['@tensorflow/tfjs'] ?? '4.22.0';
  return [`@tensorflow/tfjs@${tfjs}`, `vitest@${dev['vitest']}`, `tsup@${dev['tsup']}`, `typescript@${dev['typescript']}`];
}

/** npm pack of every library package and the bench (private, but it is how a user runs a plugin by name). */
async function packAll(destination: string): Promise<PackJsonEntry[]> {
  const bench = workspacePackages().filter((p) => p.path.startsWith('apps/') && p.manifest.bin);
  const args = ['pack', '--json', '--pack-destination', destination, ...[...libraryPackages(), ...bench].flatMap((p) => ['-w', p.path])];
  const result = await run('npm', args, { cwd: ROOT, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`npm pack failed:\n${tail(result.stderr)}`);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as PackJsonEntry[];
}

/**
 * Builds (if stale), packs, and installs the tarballs plus tfjs into a new project in the temp folder with
 * one `npm install`. The project is keyed by a hash of the tarballs: a second run with unchanged
 * packages reuses it (nothing of the workspace leaks in: it lives outside it and has no links to it).
 */
export async function prepareConsumer(): Promise<Consumer> {
  await ensureBuilt();
  const packDir = mkdtempSync(join(tmpdir(), 'distillery-pack-'));
  try {
    const entries = await packAll(packDir);
    const specs = registrySpecs();
    const hash = createHash('sha256').update(`${process.version}\n${specs.join('\n')}\n`);
    for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) hash.update(entry.name).update(readFileSync(join(packDir, entry.filename)));
    const base = join(tmpdir(), 'distillery-outside');
    const dir = join(base, hash.digest('hex').slice(0, 16));
    const packed = new Map(entries.map((e) => [e.name, { name: e.name, tarball: join(dir, 'tarballs', e.filename), files: e.files.map((f) => f.path) }]));
    const marker = join(dir, '.installed');
    const reused = existsSync(marker) && process.env['DISTILLERY_OUTSIDE_FRESH'] !== '1';
    if (!reused) {
      // Older projects (other tarballs) are of no further use.
      if (existsSync(base)) for (const old of readdirSync(base)) rmSync(join(base, old), { recursive: true, force: true });
      mkdirSync(join(dir, 'tarballs'), { recursive: true });
      for (const entry of entries) copyFileSync(join(packDir, entry.filename), join(dir, 'tarballs', entry.filename));
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'distillery-outside-app', version: '0.0.0', private: true }, null, 2)}\n`);
      const install = await run(
        'npm',
        ['install', ...entries.map((e) => `./tarballs/${e.filename}`), ...specs, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
        // The native addon's build is skipped (its documented switch): it is optional and takes long;
        // backend-native's README example then runs its fallback path.
        { cwd: dir, env: { DISTILLERY_SKIP_NATIVE: '1' }, timeoutMs: 900_000 },
      );
      if (install.code !== 0) throw new Error(`npm install of the tarballs failed:\n${tail(install.stderr)}`);
      writeFileSync(marker, new Date().toISOString());
    }
    return { dir, packed, reused };
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}
