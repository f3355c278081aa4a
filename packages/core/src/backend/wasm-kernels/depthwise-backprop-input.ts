import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, cropSpatial, depthwiseConv2d, pad, release, reshape, reverse, slice, sum } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/**
 * Inserts stride-1 zeros after every row and column of dy [B,OH,OW,K] -> [B,OH*sh,OW*sw,K], so that a
 * stride-1 convolution can play the transposed one. PadV2 on a reshaped view does it in one C++ pass.
 */
function spreadByStride(backend: ReturnType<typeof asWasmBackend>, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
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
 * dx[b,h,w,c] = sum_{fh,fw,m} dy[b,oh,ow,c*M+m] * f[fh,fw,c,m] where h = oh*s + fh*d - pad: a
 * depthwise convolution of the stride-spread dy with the spatially flipped filter (each of the C*M
 * dy channels with its own tap), followed by a sum over m when the channel multiplier is above 1.
 */
function depthwiseConv2dNativeBackpropInput(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs dy and filter');
  const [batch, inH, inW, channels] = attrs.inputShape;
  const [fh, fw, , mult] = filter.shape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;

  let spread = spreadByStride(backend, dy, sh, sw);
  // Row h of dx reads spread rows h - padTop + (fh-1)*dh - g*dh for flipped taps g; a negative lead is cut.
  const leadH = (fh - 1) * dh - info.padInfo.top;
  const leadW = (fw - 1) * dw - info.padInfo.left;
  if (leadH < 0 || leadW < 0) {
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
  const bottom = Math.max(0, inH + (fh - 1) * dh - top - spreadH);
  const right = Math.max(0, inW + (fw - 1) * dw - left - spreadW);

  const flipped = reverse(backend, filter, [0, 1]);
  const flatFilter = reshape(backend, flipped, [fh, fw, channels * mult, 1]);
  release(backend, flipped);
  const conv = depthwiseConv2d(backend, spread, flatFilter, {
    strides: [1, 1], dilations: [dh, dw], padH: [top, bottom], padW: [left, right],
  });
  release(backend, spread, flatFilter);
  const cropped = cropSpatial(backend, conv, inH, inW);
  if (mult === 1) return cropped;
  const perMult = reshape(backend, cropped, [batch, inH, inW, channels, mult]);
  release(backend, cropped);
  const dx = sum(backend, perMult, [4]);
  release(backend, perMult);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
