import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { version as tfjsVersions } from '@tensorflow/tfjs';

/** Package name -> version, for every package whose code decides a run's numbers. */
export type PackageVersions = Readonly<Record<string, string>>;

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

const require = createRequire(import.meta.url);
const readPackage = (name: string): PackageJson => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as PackageJson;

let cached: PackageVersions | undefined;

/**
 * The versions installed here: the bench, every @distillery package it depends on (methods, models,
 * data, core) and tfjs. They are part of each job's id, and a worker refuses a job whose versions
 * differ from its own: the same config on other code is another experiment.
 */
export function packageVersions(): PackageVersions {
  if (cached) return cached;
  const bench = readPackage('@distillery/bench');
  const versions: Record<string, string> = { [bench.name]: bench.version };
  for (const name of Object.keys(bench.dependencies ?? {}).filter((n) => n.startsWith('@distillery/')).sort()) versions[name] = readPackage(name).version;
  versions['@tensorflow/tfjs'] = tfjsVersions.tfjs;
  cached = versions;
  return versions;
}

/** Human-readable differences between the versions a job needs and the ones here ([] when equal). */
export function versionMismatches(needed: PackageVersions, installed: PackageVersions): string[] {
  const names = [...new Set([...Object.keys(needed), ...Object.keys(installed)])].sort();
  return names
    .filter((name) => needed[name] !== installed[name])
    .map((name) => `${name}: job needs ${needed[name] ?? 'none'}, this worker has ${installed[name] ?? 'none'}`);
}
