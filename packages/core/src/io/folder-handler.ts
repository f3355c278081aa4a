import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointCorruptError, ConfigError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** What Distillery adds to model.json (tfjs's loaders ignore unknown keys): lets a load spot torn or altered weights. */
interface WeightsIntegrity {
  readonly weightsBytes: number;
  readonly weightsSha256: string;
}

type FolderModelJSON = tf.io.ModelJSON & { readonly distillery?: WeightsIntegrity };

/**
 * A tf.io save handler writing tfjs's own folder layout (model.json + one weights.bin, the format
 * `tf.loadLayersModel('file://...')` under tfjs-node reads) with node:fs, so no tfjs-node is needed.
 * weights.bin is written first and model.json last, each atomically; model.json records the size and
 * SHA-256 of weights.bin, so a crash between the two renames (new weights, old model.json) or any later
 * damage is reported as corrupt on load instead of loading mismatched weights.
 */
export function folderSaveHandler(folder: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ConfigError('cannot save a binary (GraphDef) topology to a folder', 'save a tf.LayersModel');
      }
      const weights = artifacts.weightData === undefined ? new Uint8Array(0) : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const modelJSON: FolderModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
        ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
        ...(artifacts.convertedBy === undefined || artifacts.convertedBy === null ? {} : { convertedBy: artifacts.convertedBy }),
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
        distillery: { weightsBytes: weights.byteLength, weightsSha256: sha256(weights) },
      };
      await mkdir(folder, { recursive: true });
      await writeFileAtomic(join(folder, WEIGHTS_FILE), weights);
      await writeFileAtomic(join(folder, MODEL_JSON_FILE), JSON.stringify(modelJSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** A tf.io load handler for a folder written by `folderSaveHandler` (or tfjs-node's file:// saver). */
export function folderLoadHandler(folder: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJSON = await readModelJSON(folder);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const parts: Uint8Array[] = [];
        for (const group of manifest) {
          for (const path of group.paths) parts.push(await readWeightsFile(folder, path));
        }
        const bytes = concatenate(parts);
        const specs = manifest.flatMap((group) => group.weights);
        checkWeights(folder, bytes, specs, modelJSON.distillery);
        return [specs, bytes.buffer as ArrayBuffer];
      });
    },
  };
}

async function readModelJSON(folder: string): Promise<FolderModelJSON> {
  const path = join(folder, MODEL_JSON_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CheckpointCorruptError(folder, `cannot read ${MODEL_JSON_FILE} (${errorCode(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointCorruptError(folder, `${MODEL_JSON_FILE} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed) || !isRecord(parsed['modelTopology'])) {
    throw new CheckpointCorruptError(folder, `${MODEL_JSON_FILE} has no modelTopology object`);
  }
  const manifest = parsed['weightsManifest'];
  if (manifest !== undefined && !isManifest(manifest)) {
    throw new CheckpointCorruptError(folder, `${MODEL_JSON_FILE} has a malformed weightsManifest`);
  }
  const integrity = parsed['distillery'];
  if (integrity !== undefined && !(isRecord(integrity) && typeof integrity['weightsBytes'] === 'number' && typeof integrity['weightsSha256'] === 'string')) {
    throw new CheckpointCorruptError(folder, `${MODEL_JSON_FILE} has a malformed "distillery" integrity record`);
  }
  // Checked above: a topology object, a well-formed manifest and integrity record.
  return parsed as unknown as FolderModelJSON;
}

async function readWeightsFile(folder: string, path: string): Promise<Uint8Array> {
  // Manifest paths are relative to model.json; refuse any that would read outside the folder.
  const relative = normalize(path);
  if (isAbsolute(relative) || relative.startsWith('..')) {
    throw new CheckpointCorruptError(folder, `weights path "${path}" points outside the folder`);
  }
  try {
    return new Uint8Array(await readFile(join(folder, relative)));
  } catch (error) {
    throw new CheckpointCorruptError(folder, `cannot read weights file ${path} (${errorCode(error)})`);
  }
}

function checkWeights(folder: string, bytes: Uint8Array, specs: readonly tf.io.WeightsManifestEntry[], integrity: WeightsIntegrity | undefined): void {
  const expected = expectedBytes(specs);
  if (expected !== undefined && expected !== bytes.byteLength) {
    throw new CheckpointCorruptError(folder, `weights hold ${bytes.byteLength} bytes but the manifest describes ${expected} (truncated or mismatched file)`);
  }
  if (integrity !== undefined) {
    if (integrity.weightsBytes !== bytes.byteLength || integrity.weightsSha256 !== sha256(bytes)) {
      throw new CheckpointCorruptError(folder, `${WEIGHTS_FILE} does not match the checksum recorded in ${MODEL_JSON_FILE}`);
    }
  }
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Byte size the manifest implies, or undefined when it holds variable-length (string) weights. */
function expectedBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const size = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype];
    if (size === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isManifest(value: unknown): value is tf.io.WeightsManifestConfig {
  return (
    Array.isArray(value) &&
    value.every((group) => isRecord(group) && Array.isArray(group['paths']) && group['paths'].every((p) => typeof p === 'string') && Array.isArray(group['weights']))
  );
}

function errorCode(error: unknown): string {
  return isRecord(error) && typeof error['code'] === 'string' ? error['code'] : String(error);
}
