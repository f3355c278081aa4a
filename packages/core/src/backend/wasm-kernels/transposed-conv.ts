import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { pad, release, reshape, slice } from './wasm-ops.js';
import type { ConvAttrs } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/** What the forward convolution looked like, as computed by backend_util.computeConv2DInfo. */
export interface ForwardGeometry {
  inHeight: number;
  inWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * Inserts stride-1 zeros after every row and column of dy [B,OH,OW,K] -> [B,OH*sh,OW*sw,K], so a
 * stride-1 convolution can play the transposed one. PadV2 on a reshaped view does it in one C++ pass.
 */
function spreadByStride(backend: BackendWasm, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  if (sh === 1 && sw === 1) return reshape(backend, dy, dy.shape);
  const [b, oh, ow, k] = dy.shape as Shape4;
  const view = reshape(backend, dy, [b * oh, 1, ow, 1, k]);
  const spread = pad(backend, view, [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  release(backend, view);
  const out = reshape(backend, spread, [b, oh * sh, ow * sw, k]);
  release(backend, spread);
  return out;
}

/**
 * The gradient of a convolution with respect to its input is a stride-1 convolution of the stride-spread
 * dy with the spatially flipped filter: dx[h] = sum_g spread[h - lead + g*d] * flipped[g], where
 * lead = (F-1)*d - padTop. Returns that convolution's input (owned by the caller) and padding; its
 * output must be cropped to the first inHeight x inWidth positions.
 */
export function transposedConvInput(backend: BackendWasm, dy: tf.TensorInfo, g: ForwardGeometry): { x: tf.TensorInfo; conv: ConvAttrs } {
  let spread = spreadByStride(backend, dy, g.strideHeight, g.strideWidth);
  const leadH = (g.filterHeight - 1) * g.dilationHeight - g.padInfo.top;
  const leadW = (g.filterWidth - 1) * g.dilationWidth - g.padInfo.left;
  if (leadH < 0 || leadW < 0) {
    // Forward padding wider than the filter reaches: the first spread rows/columns never reach dx.
    const [b, h, w, k] = spread.shape as Shape4;
    const cutH = Math.max(0, -leadH);
    const cutW = Math.max(0, -leadW);
    const cut = slice(backend, spread, [0, cutH, cutW, 0], [b, Math.max(0, h - cutH), Math.max(0, w - cutW), k]);
    release(backend, spread);
    spread = cut;
  }
  const [, spreadH, spreadW] = spread.shape as Shape4;
  const top = Math.max(0, leadH);
  const left = Math.max(0, leadW);
  const bottom = Math.max(0, g.inHeight + (g.filterHeight - 1) * g.dilationHeight - top - spreadH);
  const right = Math.max(0, g.inWidth + (g.filterWidth - 1) * g.dilationWidth - left - spreadW);
  return {
    x: spread,
    conv: { strides: [1, 1], dilations: [g.dilationHeight, g.dilationWidth], padH: [top, bottom], padW: [left, right] },
  };
}
