import * as tf from '@tensorflow/tfjs';

/**
 * Nearest-neighbour 2x upsampling of [batch, h, w, c] (PyTorch `interpolate(scale_factor=2)`), written as a
 * broadcast multiply: x -> [b, h, 1, w, 1, c] x ones[1, 1, 2, 1, 2, 1] -> [b, 2h, 2w, c]. Its gradient is a
 * sum over the broadcast axes. tf.layers.upSampling2d uses ResizeNearestNeighbor instead, whose gradient
 * kernel on tfjs's cpu backend (4.22) reads dy at the wrong offset for every batch item after the first
 * (it strides the batch by the input's size, not dy's), so generators trained on cpu or native would
 * receive wrong gradients; wasm's kernel is correct. This layer is correct on every backend.
 */
export class NearestUpsample2x extends tf.layers.Layer {
  static readonly className = 'DistilleryNearestUpsample2x';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = inputShape as tf.Shape;
    return [b ?? null, h == null ? null : h * 2, w == null ? null : w * 2, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const [b, h, w, c] = x.shape as [number, number, number, number];
      const spread = tf.mul(tf.reshape(x, [b, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1]));
      return tf.reshape(spread, [b, h * 2, w * 2, c]);
    });
  }
}

let registered = false;

/** Registers the layer for model serialisation (idempotent); the generator builders call it. */
export function registerGeneratorLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(NearestUpsample2x);
  registered = true;
}
