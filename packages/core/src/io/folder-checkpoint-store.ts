import { readFile, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { CheckpointData, CheckpointMeta, CheckpointStore, StoredTensor } from '../training/checkpoint.js';
import { CheckpointCorruptError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly byteOffset: number;
  readonly byteLength: number;
}

interface Manifest {
  readonly meta: CheckpointMeta;
  readonly weightsFile: string;
  readonly sha256: string;
  readonly tensors: readonly TensorEntry[];
}

const MANIFEST = 'checkpoint.json';

/**
 * A checkpoint folder: `checkpoint.json` (metadata, tensor index, SHA-256 of the weights) and one
 * `weights-<step>.bin`. The weights are written first under a new name and the manifest is renamed
 * over the old one last, so a crash at any point leaves a complete earlier checkpoint.
 */
export class FolderCheckpointStore implements CheckpointStore {
  constructor(readonly location: string) {}

  async save(data: CheckpointData): Promise<void> {
    const entries: TensorEntry[] = [];
    let offset = 0;
    for (const tensor of data.tensors) {
      entries.push({ name: tensor.name, shape: tensor.shape, dtype: tensor.dtype, byteOffset: offset, byteLength: tensor.values.byteLength });
      offset += tensor.values.byteLength;
    }
    const weights = new Uint8Array(offset);
    for (let i = 0; i < data.tensors.length; i++) {
      const values = data.tensors[i]!.values;
      weights.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), entries[i]!.byteOffset);
    }
    const weightsFile = `weights-${data.meta.globalStep}.bin`;
    await writeFileAtomic(join(this.location, weightsFile), weights);
    const manifest: Manifest = { meta: data.meta, weightsFile, sha256: sha256(weights), tensors: entries };
    await writeFileAtomic(join(this.location, MANIFEST), JSON.stringify(manifest));
    await this.removeStaleWeights(weightsFile);
  }

  async load(): Promise<CheckpointData | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.location, MANIFEST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const manifest = parseManifest(text, this.location);
    let weights: Buffer;
    try {
      weights = await readFile(join(this.location, manifest.weightsFile));
    } catch {
      throw new CheckpointCorruptError(this.location, `weights file ${manifest.weightsFile} is missing`);
    }
    if (sha256(weights) !== manifest.sha256) {
      throw new CheckpointCorruptError(this.location, `weights file ${manifest.weightsFile} does not match its checksum`);
    }
    const tensors: StoredTensor[] = manifest.tensors.map((entry) => {
      const bytes = weights.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength);
      const copy = new Uint8Array(bytes).buffer; // aligned copy for the typed-array view
      const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
      return { name: entry.name, shape: entry.shape, dtype: entry.dtype, values };
    });
    return { meta: manifest.meta, tensors };
  }

  private async removeStaleWeights(keep: string): Promise<void> {
    for (const file of await readdir(this.location)) {
      if (file.startsWith('weights-') && file.endsWith('.bin') && file !== keep) await rm(join(this.location, file), { force: true });
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseManifest(text: string, location: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CheckpointCorruptError(location, `${MANIFEST} is not valid JSON`);
  }
  const manifest = parsed as Partial<Manifest>;
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    typeof manifest.weightsFile !== 'string' ||
    typeof manifest.sha256 !== 'string' ||
    !Array.isArray(manifest.tensors) ||
    typeof manifest.meta !== 'object' ||
    manifest.meta?.format !== 1
  ) {
    throw new CheckpointCorruptError(location, `${MANIFEST} lacks required fields (format 1 expected)`);
  }
  return manifest as Manifest;
}
