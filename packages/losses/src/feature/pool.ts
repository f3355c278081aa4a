import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';

/**
 * The reference code aligns feature maps of different resolution with adaptive average pooling
 * (RepDistiller's AT and FSP pool the larger map; mdistiller's OFD pools the teacher). When the larger
 * size is an integer multiple of the smaller, adaptive pooling is a plain average over f x f windows,
 * which is all that is supported here: other ratios are rejected when the loss is prepared.
 */

/** f such that [h, w] pooled by f is [toH, toW], or undefined if there is none. */
export function poolingFactor(from: readonly number[], to: readonly number[]): number | undefined {
  const [h, w] = from;
  const [toH, toW] = to;
  if (h === undefined || w === undefined || toH === undefined || toW === undefined) return undefined;
  if (toH < 1 || h % toH !== 0) return undefined;
  const factor = h / toH;
  return w === toW * factor ? factor : undefined;
}

/** Average over non-overlapping f x f windows of an NHWC map; gradients only need reshape and mean. */
export function averagePool(x: tf.Tensor, factor: number): tf.Tensor {
  if (factor === 1) return x;
  const [batch, h, w, c] = x.shape as [number, number, number, number];
  return tf.tidy(() => tf.mean(tf.reshape(x, [batch, h / factor, factor, w / factor, factor, c]), [2, 4]));
}

/** Pools an NHWC map to [height, width] (an integer factor smaller, or the same size). */
export function poolTo(x: tf.Tensor, height: number, width: number, loss: string): tf.Tensor {
  const factor = poolingFactor(x.shape.slice(1, 3), [height, width]);
  if (factor === undefined) {
    throw new ConfigError(
      `${loss}: cannot average-pool a ${x.shape[1]}x${x.shape[2]} map to ${height}x${width}`,
      'pair taps whose spatial sizes are equal or differ by an integer factor',
    );
  }
  return averagePool(x, factor);
}

/** [h, w] of the smaller of two NHWC per-sample shapes, for losses that pool the larger map. */
export function smallerSpatial(a: readonly number[], b: readonly number[]): [number, number] {
  const [ah = 0, aw = 0] = a;
  const [bh = 0, bw = 0] = b;
  return ah * aw <= bh * bw ? [ah, aw] : [bh, bw];
}
