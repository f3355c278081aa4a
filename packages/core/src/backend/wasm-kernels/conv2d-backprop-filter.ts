import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, conv2d, cropSpatial, release, transpose } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/**
 * dW[fh,fw,c,o] = sum_{b,oh,ow} x[b, oh*s + fh - pad, ow*s + fw - pad, c] * dy[b,oh,ow,o].
 * Read with c as the batch, b as the input channel and dy as the filter, this is one forward
 * convolution with stride 1 and dilation = the original stride, so XNNPACK does all the arithmetic:
 * x^T [C,H,W,B] conv dy^T [OH,OW,B,O] -> [C,FH,FW,O], then one transpose to [FH,FW,C,O].
 */
function conv2DBackpropFilter(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as tf.Conv2DBackpropFilterInputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, like the wasm Conv2D kernel");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const [, inH, inW] = x.shape as Shape4;
  const [, outH, outW] = dy.shape as Shape4;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Pad the far side only as much as the last filter tap needs; extra rows are cropped after.
  const bottom = Math.max(0, fh + (outH - 1) * sh - inH - top);
  const right = Math.max(0, fw + (outW - 1) * sw - inW - left);

  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const conv = conv2d(backend, xT, dyT, { strides: [1, 1], dilations: [sh, sw], padH: [top, bottom], padW: [left, right] });
  release(backend, xT, dyT);
  const cropped = cropSpatial(backend, conv, fh, fw);
  const dw = transpose(backend, cropped, [1, 2, 0, 3]);
  release(backend, cropped);
  return dw;
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
