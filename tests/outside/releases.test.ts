import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run, tail } from '../helpers/run.js';
import { readManifest, ROOT, workspacePackages } from '../helpers/workspace.js';

/**
 * Releases with changesets: `changeset version` runs on a copy of the repository's manifests and
 * .changeset folder, and afterwards every internal dependency range must still match the version of the
 * package it names (else npm would look for the old version in the registry instead of the workspace).
 */
const CHANGESET = join(ROOT, 'node_modules', '.bin', 'changeset');
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A copy of what changesets reads: the root manifest, .changeset/config.json and every workspace manifest. */
function copyOfRepository(withPendingChangesets: boolean): string {
  const folder = mkdtempSync(join(tmpdir(), 'distillery-changesets-'));
  folders.push(folder);
  copyFileSync(join(ROOT, 'package.json'), join(folder, 'package.json'));
  mkdirSync(join(folder, '.changeset'));
  for (const file of readdirSync(join(ROOT, '.changeset'))) {
    if (file === 'config.json' || (withPendingChangesets && file.endsWith('.md') && file !== 'README.md')) copyFileSync(join(ROOT, '.changeset', file), join(folder, '.changeset', file));
  }
  for (const pkg of workspacePackages()) {
    mkdirSync(join(folder, pkg.path), { recursive: true });
    copyFileSync(join(pkg.dir, 'package.json'), join(folder, pkg.path, 'package.json'));
  }
  return folder;
}

/** Whether `version` satisfies `range`; the repository uses exact versions and ^ ranges between its packages. */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string): number[] => v.split('-')[0]!.split('.').map(Number);
  if (!range.startsWith('^')) return version === range;
  const [major, minor, patch] = parse(range.slice(1)) as [number, number, number];
  const [vMajor, vMinor, vPatch] = parse(version) as [number, number, number];
  const atLeast = vMajor > major || (vMajor === major && (vMinor > minor || (vMinor === minor && vPatch >= patch)));
  // ^0.y.z allows only 0.y.*, ^0.0.z only 0.0.z, ^x.y.z (x > 0) only x.*.*
  const sameLine = major > 0 ? vMajor === major : minor > 0 ? vMajor === 0 && vMinor === minor : vMajor === 0 && vMinor === 0 && vPatch === patch;
  return atLeast && sameLine;
}

interface Versioned {
  readonly versions: Map<string, string>;
  readonly unsatisfied: string[];
}

async function changesetVersion(folder: string): Promise<Versioned> {
  const result = await run(CHANGESET, ['version'], { cwd: folder, timeoutMs: 120_000 });
  expect(result.code, `changeset version failed:\n${tail(result.stdout)}\n${tail(result.stderr)}`).toBe(0);
  const manifests = workspacePackages().map((pkg) => readManifest(join(folder, pkg.path)));
  const versions = new Map(manifests.map((m) => [m.name, m.version]));
  const unsatisfied: string[] = [];
  for (const manifest of manifests) {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies'] as const) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        const version = versions.get(dep);
        if (version !== undefined && !satisfies(version, range)) unsatisfied.push(`${manifest.name} ${field}.${dep} "${range}" vs ${version}`);
      }
    }
  }
  return { versions, unsatisfied };
}

describe('changesets', () => {
  it('a minor bump of core bumps every package that depends on it and rewrites their ranges', async () => {
    const folder = copyOfRepository(false);
    writeFileSync(join(folder, '.changeset', 'core-minor.md'), '---\n"@distillery/core": minor\n---\n\nA release test.\n');
    const before = new Map(workspacePackages().map((p) => [p.name, p.manifest.version]));
    const { versions, unsatisfied } = await changesetVersion(folder);
    expect(unsatisfied).toEqual([]);
    const [major, minor] = before.get('@distillery/core')!.split('.').map(Number) as [number, number];
    expect(versions.get('@distillery/core')).toBe(`${major}.${minor + 1}.0`);
    const ignored = new Set((JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as { ignore: string[] }).ignore);
    for (const pkg of workspacePackages()) {
      if (pkg.name === '@distillery/core' || ignored.has(pkg.name)) continue;
      const dependsOnCore = pkg.manifest.dependencies?.['@distillery/core'] !== undefined;
      // a dependent leaves the old ^0.x range, so it must be released too (a patch)
      if (dependsOnCore) expect(versions.get(pkg.name), pkg.name).not.toBe(before.get(pkg.name));
    }
    expect(existsSync(join(folder, 'packages', 'core', 'CHANGELOG.md'))).toBe(true);
  }, 180_000);

  it('the pending changesets in .changeset/ name existing packages and version cleanly', async () => {
    const folder = copyOfRepository(true);
    const { unsatisfied } = await changesetVersion(folder);
    expect(unsatisfied).toEqual([]);
  }, 180_000);
});
