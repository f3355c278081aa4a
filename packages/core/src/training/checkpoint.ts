import * as tf from '@tensorflow/tfjs';
import type { Trackables } from '../contracts/scheme.js';
import { CheckpointMismatchError } from '../errors.js';

/** Plain tensor values by name, as stored in a checkpoint. */
export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

/** What a checkpoint holds: run metadata (JSON) and every trackable's values. */
export interface CheckpointData {
  readonly meta: CheckpointMeta;
  readonly tensors: readonly StoredTensor[];
}

export interface CheckpointMeta {
  readonly format: 1;
  readonly scheme: string;
  /** epochs fully done; training resumes at this epoch */
  readonly epochsDone: number;
  readonly globalStep: number;
  readonly seed: number;
  /** JSON-safe run history (per-epoch records) so a resumed run reports the whole run */
  readonly history: unknown;
}

/** Where checkpoints live: a folder on disk (`@distillery/core/node`), memory, IndexedDB, ... */
export interface CheckpointStore {
  readonly location: string;
  load(): Promise<CheckpointData | undefined>;
  /** must be atomic: a crash mid-save leaves the previous checkpoint readable */
  save(data: CheckpointData): Promise<void>;
}

const VARIABLE_PREFIX = 'variable/';
const OPTIMIZER_PREFIX = 'optimizer/';

async function readTensor(name: string, tensor: tf.Tensor): Promise<StoredTensor> {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  const values = dtype === 'int32' ? Int32Array.from(await tensor.data()) : Float32Array.from(await tensor.data());
  return { name, shape: tensor.shape, dtype, values };
}

/** Reads every variable and optimiser slot of a scheme into plain arrays. */
export async function captureTrackables(trackables: Trackables): Promise<StoredTensor[]> {
  const stored: StoredTensor[] = [];
  for (const [name, variable] of Object.entries(trackables.variables)) {
    stored.push(await readTensor(VARIABLE_PREFIX + name, variable));
  }
  for (const [optimizerName, optimizer] of Object.entries(trackables.optimizers)) {
    const weights = await optimizer.getWeights();
    for (let i = 0; i < weights.length; i++) {
      // Optimiser slots are positional (tfjs matches them to variables by order); names are informative only.
      stored.push(await readTensor(`${OPTIMIZER_PREFIX}${optimizerName}/${i}/${weights[i]!.name}`, weights[i]!.tensor));
    }
  }
  return stored;
}

/** Writes stored values back into a scheme's variables and optimisers; refuses anything that does not fit. */
export async function restoreTrackables(trackables: Trackables, stored: readonly StoredTensor[], location: string): Promise<void> {
  const byName = new Map(stored.map((t) => [t.name, t]));
  for (const [name, variable] of Object.entries(trackables.variables)) {
    const saved = byName.get(VARIABLE_PREFIX + name);
    if (!saved) throw new CheckpointMismatchError(location, `variable "${name}" is missing`);
    if (saved.shape.join('x') !== variable.shape.join('x')) {
      throw new CheckpointMismatchError(location, `variable "${name}" has shape [${saved.shape}] but the model has [${variable.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(saved.values, [...saved.shape], saved.dtype)));
  }
  for (const [optimizerName, optimizer] of Object.entries(trackables.optimizers)) {
    const prefix = `${OPTIMIZER_PREFIX}${optimizerName}/`;
    const slots = stored
      .filter((t) => t.name.startsWith(prefix))
      .map((t) => {
        const rest = t.name.slice(prefix.length);
        const slash = rest.indexOf('/');
        return { order: Number(rest.slice(0, slash)), name: rest.slice(slash + 1), stored: t };
      })
      .sort((a, b) => a.order - b.order);
    if (slots.length === 0) continue; // an optimiser that had not stepped yet
    const tensors = slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.stored.values, [...s.stored.shape], s.stored.dtype) }));
    await optimizer.setWeights(tensors);
    // setWeights wraps each tensor in a variable that shares its data (ref-counted), so ours can go.
    for (const { tensor } of tensors) tensor.dispose();
  }
}

/** Keeps checkpoints in memory: tests, browsers, and runs that need resume only within one process. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly location = 'memory';
  private latest: CheckpointData | undefined;
  async load(): Promise<CheckpointData | undefined> {
    return this.latest;
  }
  async save(data: CheckpointData): Promise<void> {
    this.latest = data;
  }
}
