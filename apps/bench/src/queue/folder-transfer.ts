import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Plain file names only: what comes back from Redis must not write outside the folder. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Stores a run's saved folder (a teacher's model.json + weights.bin and whatever the run writes beside
 * them) in one Redis hash, file name -> bytes, so that workers on other machines and the coordinator
 * can load it without a shared file system. Nested folders are not expected and are refused.
 */
export async function uploadFolder(redis: Redis, key: string, folder: string): Promise<number> {
  const entries = await readdir(folder, { withFileTypes: true });
  const fields: Record<string, Buffer> = {};
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !SAFE_NAME.test(entry.name)) throw new Error(`cannot send ${join(folder, entry.name)} through the queue: only plain files are sent`);
    const content = await readFile(join(folder, entry.name));
    fields[entry.name] = content;
    bytes += content.byteLength;
  }
  if (Object.keys(fields).length === 0) throw new Error(`the run saved nothing in ${folder}`);
  await redis.multi().del(key).hset(key, fields).exec();
  return bytes;
}

/**
 * Writes the hash back as a folder: into a temporary sibling first, renamed into place, so a reader
 * sees either no folder or a complete one (as the run's own save does).
 */
export async function downloadFolder(redis: Redis, key: string, folder: string): Promise<void> {
  const files = await redis.hgetallBuffer(key);
  const names = Object.keys(files);
  if (names.length === 0) throw new Error(`the saved folder of this run's dependency is missing from Redis (key ${key}): was the queue cleaned? Remove the job and run the coordinator again`);
  const temporary = `${folder}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(temporary, { recursive: true });
  for (const name of names) {
    if (!SAFE_NAME.test(name)) throw new Error(`refusing file name ${JSON.stringify(name)} from Redis key ${key}`);
    await writeFile(join(temporary, name), files[name]!);
  }
  await rm(folder, { recursive: true, force: true });
  await rename(temporary, folder);
}
