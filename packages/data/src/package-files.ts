import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DataFileError } from './errors.js';

declare const __filename: string | undefined;

/** The folder of an installed npm package, found the way Node resolves it from this file. */
export function packageFolder(name: string): string {
  // The CommonJS build has no import.meta.url; __filename exists there instead.
  const from = typeof __filename === 'string' ? __filename : import.meta.url;
  try {
    return dirname(createRequire(from).resolve(`${name}/package.json`));
  } catch (cause) {
    throw new DataFileError(`${name}/package.json`, `the npm package "${name}" is not installed (${String(cause)})`, `install it: npm i ${name}`);
  }
}

/** Reads a whole file; a missing or unreadable file becomes a DataFileError naming it. */
export function readDataFile(path: string, hint?: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new DataFileError(path, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, hint);
  }
}

/** Size of a file in bytes; a missing file becomes a DataFileError naming it. */
export function dataFileSize(path: string, hint?: string): number {
  if (!existsSync(path)) throw new DataFileError(path, 'does not exist', hint);
  return statSync(path).size;
}
