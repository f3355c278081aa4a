import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../seeds.js';

/**
 * Glorot-uniform kernel initialiser (the tf.layers default) with a seed derived from the model seed and
 * the layer name, so each layer draws its own stream and a rebuild with the same seed is identical.
 * Biases keep the default zeros, and batch-norm gamma/beta ones/zeros: nothing else is random.
 */
export function seededKernel(seed: number, layerName: string): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: deriveSeed(seed, `${layerName}/kernel`) });
}
