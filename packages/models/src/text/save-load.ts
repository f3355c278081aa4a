import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointCorruptError, ConfigError, DistilleryError } from '@distillery/core';
import { buildTextModel } from './build.js';
import type { TextModel, TextModelSpec } from './types.js';

export const TEXT_MODEL_FILE = 'text-model.json';
export const TEXT_WEIGHTS_FILE = 'weights.bin';
const FORMAT = 1;

interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly byteOffset: number;
  readonly byteLength: number;
}

interface Manifest {
  readonly format: typeof FORMAT;
  readonly spec: TextModelSpec;
  readonly weightsFile: string;
  readonly sha256: string;
  readonly weights: readonly WeightEntry[];
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Refuses to replace a folder that holds anything but a saved text model: its files would be lost. */
async function assertReplaceable(folder: string): Promise<void> {
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') throw new ConfigError(`${folder} is a file, not a folder`, 'pass a folder path for the saved model');
    throw error;
  });
  const foreign = entries.filter((file) => file !== TEXT_MODEL_FILE && file !== TEXT_WEIGHTS_FILE);
  if (foreign.length > 0) {
    throw new ConfigError(`${folder} already holds other files (${foreign.slice(0, 3).join(', ')})`, 'save into an empty or new folder, or one written by saveTextModel');
  }
}

/**
 * Saves a text model: `text-model.json` (spec = config + kind, weight index, SHA-256 of the weights) and
 * `weights.bin` (every state variable, float32, dropout counter included). Both are written and fsynced
 * in a temporary sibling folder that is then renamed into place, so `folder` never holds a half-written
 * model; an existing save in `folder` is moved aside first and removed after the rename.
 */
export async function saveTextModel(model: TextModel, folder: string): Promise<void> {
  const target = resolve(folder);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const replacing = await exists(target);
  if (replacing) await assertReplaceable(target);

  const variables = Object.entries(model.stateVariables());
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, variable] of variables) {
    const values = Float32Array.from(await variable.data());
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    entries.push({ name, shape: variable.shape, byteOffset: offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const weights = new Uint8Array(offset);
  chunks.forEach((chunk, i) => weights.set(chunk, (entries[i] as WeightEntry).byteOffset));
  const manifest: Manifest = { format: FORMAT, spec: model.spec, weightsFile: TEXT_WEIGHTS_FILE, sha256: sha256(weights), weights: entries };

  const suffix = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const temporary = join(parent, `.${basename(target)}.tmp-${suffix}`);
  const previous = join(parent, `.${basename(target)}.old-${suffix}`);
  try {
    await mkdir(temporary);
    await writeSynced(join(temporary, TEXT_WEIGHTS_FILE), weights);
    await writeSynced(join(temporary, TEXT_MODEL_FILE), JSON.stringify(manifest));
    if (replacing) await rename(target, previous);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseManifest(text: string, folder: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CheckpointCorruptError(folder, `${TEXT_MODEL_FILE} is not valid JSON`);
  }
  const manifest = parsed as Partial<Manifest> | null;
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    manifest.format !== FORMAT ||
    typeof manifest.spec !== 'object' ||
    manifest.spec === null ||
    typeof manifest.weightsFile !== 'string' ||
    typeof manifest.sha256 !== 'string' ||
    !Array.isArray(manifest.weights)
  ) {
    throw new CheckpointCorruptError(folder, `${TEXT_MODEL_FILE} lacks required fields (format ${FORMAT} expected)`);
  }
  return manifest as Manifest;
}

/**
 * Loads a model written by `saveTextModel`: rebuilds it from the saved spec and writes every saved
 * weight into it. A missing, unparsable or altered file raises CheckpointCorruptError; a weight the
 * rebuilt model lacks or has in another shape, too.
 */
export async function loadTextModel(folder: string): Promise<TextModel> {
  let text: string;
  try {
    text = await readFile(join(folder, TEXT_MODEL_FILE), 'utf8');
  } catch {
    throw new CheckpointCorruptError(folder, `${TEXT_MODEL_FILE} is missing or unreadable`);
  }
  const manifest = parseManifest(text, folder);
  let weights: Buffer;
  try {
    weights = await readFile(join(folder, basename(manifest.weightsFile)));
  } catch {
    throw new CheckpointCorruptError(folder, `${manifest.weightsFile} is missing`);
  }
  if (sha256(weights) !== manifest.sha256) throw new CheckpointCorruptError(folder, `${manifest.weightsFile} does not match its checksum`);

  const model = buildTextModel(manifest.spec);
  try {
    const variables = model.stateVariables();
    const saved = new Map(manifest.weights.map((entry) => [entry.name, entry]));
    for (const [name, variable] of Object.entries(variables)) {
      const entry = saved.get(name);
      if (entry === undefined) throw new CheckpointCorruptError(folder, `weight "${name}" is missing`);
      const size = variable.size;
      if (entry.shape.join('x') !== variable.shape.join('x') || entry.byteLength !== size * 4 || entry.byteOffset + entry.byteLength > weights.byteLength) {
        throw new CheckpointCorruptError(folder, `weight "${name}" has shape [${entry.shape.join(', ')}] but the model needs [${variable.shape.join(', ')}]`);
      }
      // copy into an aligned buffer: the file's bytes may start at any offset
      const values = new Float32Array(new Uint8Array(weights.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength)).buffer);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
    }
    if (saved.size !== Object.keys(variables).length) {
      const extra = [...saved.keys()].filter((name) => !(name in variables));
      throw new CheckpointCorruptError(folder, `weights ${extra.slice(0, 3).join(', ')} do not belong to a ${manifest.spec.kind} model`);
    }
    return model;
  } catch (error) {
    model.dispose();
    if (error instanceof DistilleryError) throw error;
    throw new CheckpointCorruptError(folder, error instanceof Error ? error.message : String(error));
  }
}
