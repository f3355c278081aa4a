import * as tf from '@tensorflow/tfjs';

/**
 * A batch norm without learnable scale and shift (PyTorch `BatchNorm2d(c, affine=False)`). tfjs 4.22's
 * BatchNormalization with center/scale false throws in training mode (it reads the missing gamma), so the
 * layer keeps gamma = 1 and beta = 0 and both are marked non-trainable: the same function, and no optimiser
 * ever sees them. Call `freezeAffine` after the layer has been applied (its weights exist then).
 */
export function fixedBatchNorm(name: string, epsilon = 1e-5): tf.layers.Layer {
  return tf.layers.batchNormalization({ name, momentum: 0.9, epsilon });
}

export function freezeAffine(layer: tf.layers.Layer): void {
  for (const weight of layer.weights) {
    if (weight.originalName.endsWith('/gamma') || weight.originalName.endsWith('/beta')) weight.trainable = false;
  }
}
