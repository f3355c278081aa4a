import * as tf from '@tensorflow/tfjs';

/**
 * Runs `fn` once to warm up (lazily built state, optimiser slots), then `repeats` times, and returns how
 * many tensors the repeats left behind. Each call runs inside tf.tidy, as the trainer runs a step.
 */
export function countLeakedTensors(fn: () => void, repeats = 50): number {
  // The wrapper returns nothing, so tidy keeps nothing: whatever survives was kept by `fn` itself.
  const run = (): void => {
    tf.tidy(() => {
      fn();
    });
  };
  run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) run();
  return tf.memory().numTensors - before;
}
