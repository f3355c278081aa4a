import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * apps/bench/suites: one level above dist/ (the bundled CLI), two above src/suites/ (sources in tests).
 * The first candidate that holds the default suite wins.
 */
export const SHIPPED_SUITES_FOLDER =
  ['../suites/', '../../suites/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url))).find((folder) => existsSync(join(folder, 'quickstart.yaml'))) ??
  fileURLToPath(new URL('../suites/', import.meta.url));

/** The path of a shipped suite, or undefined when `name` is not one. */
export function shippedSuitePath(name: string): string | undefined {
  if (!/^[a-z0-9-]+$/.test(name)) return undefined;
  const path = join(SHIPPED_SUITES_FOLDER, `${name}.yaml`);
  return existsSync(path) ? path : undefined;
}

/** Names of the shipped suites, in alphabetical order. */
export function shippedSuiteNames(): string[] {
  if (!existsSync(SHIPPED_SUITES_FOLDER)) return [];
  return readdirSync(SHIPPED_SUITES_FOLDER)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** Raw text of a shipped suite (for `list`). */
export function readShippedSuite(name: string): string {
  return readFileSync(join(SHIPPED_SUITES_FOLDER, `${name}.yaml`), 'utf8');
}
