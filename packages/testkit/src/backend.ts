import * as tf from '@tensorflow/tfjs';

/**
 * Switches to a backend for a suite. The conformance suites default to 'cpu': it has every gradient
 * kernel (wasm lacks some) and is the reference the other backends are compared against.
 */
export async function useBackend(name: string): Promise<void> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" could not be initialised`);
  }
  await tf.ready();
}
