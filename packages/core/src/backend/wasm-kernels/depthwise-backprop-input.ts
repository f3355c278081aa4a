import * as tf from '@tensorflow/tfjs';
import { transposedConvInput } from './transposed-conv.js';
import { asWasmBackend, cropSpatial, depthwiseConv2d, release, reshape, reverse, sum } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/**
 * dx[b,h,w,c] = sum_{fh,fw,m} dy[b,oh,ow,c*M+m] * f[fh,fw,c,m] where h = oh*s + fh*d - pad: an XNNPACK
 * depthwise convolution of the stride-spread dy with the spatially flipped filter (each of the C*M dy
 * channels with its own tap), followed by a sum over m when the channel multiplier is above 1.
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
  const { x, conv } = transposedConvInput(backend, dy, info);
  const flipped = reverse(backend, filter, [0, 1]);
  const flatFilter = reshape(backend, flipped, [fh, fw, channels * mult, 1]);
  release(backend, flipped);
  const out = depthwiseConv2d(backend, x, flatFilter, conv);
  release(backend, x, flatFilter);
  const cropped = cropSpatial(backend, out, inH, inW);
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
