import * as tf from '@tensorflow/tfjs';
import type { Trackables } from '@distillery/core';

interface SavedTensor {
  readonly shape: number[];
  readonly dtype: tf.DataType;
  readonly values: tf.TypedArray;
}

/** Copies of every trackable value, detached from the live variables (what a checkpoint would hold). */
export interface TrackablesSnapshot {
  readonly variables: Readonly<Record<string, SavedTensor>>;
  /** per optimiser, its getWeights() in order (setWeights is positional) */
  readonly optimizers: Readonly<Record<string, ReadonlyArray<{ readonly name: string } & SavedTensor>>>;
}

function save(tensor: tf.Tensor): SavedTensor {
  // slice(): on the cpu backend dataSync() can hand out the live buffer
  return { shape: [...tensor.shape], dtype: tensor.dtype, values: (tensor.dataSync() as tf.TypedArray).slice() };
}

export async function snapshotTrackables(trackables: Trackables): Promise<TrackablesSnapshot> {
  const variables: Record<string, SavedTensor> = {};
  for (const [name, variable] of Object.entries(trackables.variables)) variables[name] = save(variable);
  const optimizers: Record<string, Array<{ name: string } & SavedTensor>> = {};
  for (const [name, optimizer] of Object.entries(trackables.optimizers)) {
    const weights = await optimizer.getWeights();
    optimizers[name] = weights.map((w) => ({ name: w.name, ...save(w.tensor) }));
    // getWeights() returns a fresh scalar for the iteration count and the live slot variables otherwise
    for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
  return { variables, optimizers };
}

/**
 * Writes a snapshot into another instance's trackables by stable name: variable.assign for variables,
 * optimizer.setWeights for optimisers. Throws when the names do not line up.
 */
export async function restoreTrackables(trackables: Trackables, snapshot: TrackablesSnapshot): Promise<void> {
  const missing = Object.keys(snapshot.variables).filter((n) => !(n in trackables.variables));
  const extra = Object.keys(trackables.variables).filter((n) => !(n in snapshot.variables));
  if (missing.length || extra.length) {
    throw new Error(`trackable variables differ between instances: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
  }
  for (const [name, saved] of Object.entries(snapshot.variables)) {
    const variable = trackables.variables[name] as tf.Variable;
    tf.tidy(() => variable.assign(tf.tensor(saved.values, saved.shape, saved.dtype)));
  }
  for (const [name, weights] of Object.entries(snapshot.optimizers)) {
    const optimizer = trackables.optimizers[name];
    if (!optimizer) throw new Error(`optimizer "${name}" is missing from the restored instance`);
    const tensors = weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape, w.dtype) }));
    await optimizer.setWeights(tensors);
    // setWeights copies into its own variables (refcounted data), so the inputs can go
    tensors.forEach((t) => t.tensor.dispose());
  }
}
