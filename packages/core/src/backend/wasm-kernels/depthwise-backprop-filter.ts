import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/**
 * dW[fh,fw,c,m] = sum_{b,oh,ow} x[b, oh*s + fh*d - pad, ow*s + fw*d - pad, c] * dy[b,oh,ow,c*M+m].
 * A direct loop over the wasm heap. Expressed as an XNNPACK convolution (one group per (b,c), dy as a
 * filter as large as the feature map) it was no faster and far slower for large maps, because XNNPACK
 * packs that huge filter and runs a GEMM with one output channel per group.
 */
function depthwiseConv2dNativeBackpropFilter(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as tf.DepthwiseConv2dNativeBackpropFilterInputs;
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('DepthwiseConv2dNativeBackpropFilter needs x and dy');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, attrs.filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true,
  );
  const [batch, inH, inW, channels] = x.shape as Shape4;
  const [, outH, outW] = dy.shape as Shape4;
  const [fh, fw, , mult] = attrs.filterShape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const depth = channels * mult;

  // Allocate before taking heap views: growing the heap detaches them.
  const out = backend.makeOutput([fh, fw, channels, mult], 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const gv = backend.typedArrayFromHeap(dy);
  const acc = new Float64Array(fh * fw * depth);

  // For each input row band and tap, dot products run along the output row (register accumulator,
  // x and dy rows in L1) and touch the accumulator once per (row, tap, channel).
  const xRow = inW * channels;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const gRow = ((b * outH + oh) * outW) * depth;
      for (let kh = 0; kh < fh; kh++) {
        const h = oh * sh + kh * dh - top;
        if (h < 0 || h >= inH) continue;
        const xBase = (b * inH + h) * xRow;
        for (let kw = 0; kw < fw; kw++) {
          // Output columns whose tap kw lands inside the image: ow*sw + kw*dw - left in [0, inW).
          const shift = kw * dw - left;
          const owStart = Math.max(0, Math.ceil(-shift / sw));
          const owEnd = Math.min(outW, Math.floor((inW - 1 - shift) / sw) + 1);
          if (owStart >= owEnd) continue;
          const a0 = (kh * fw + kw) * depth;
          const xStep = sw * channels;
          for (let c = 0; c < channels; c++) {
            const xStart = xBase + (owStart * sw + shift) * channels + c;
            for (let m = 0; m < mult; m++) {
              let dot = 0;
              let xi = xStart;
              let gi = gRow + owStart * depth + c * mult + m;
              for (let ow = owStart; ow < owEnd; ow++) {
                dot += (xv[xi] as number) * (gv[gi] as number);
                xi += xStep;
                gi += depth;
              }
              acc[a0 + c * mult + m] = (acc[a0 + c * mult + m] as number) + dot;
            }
          }
        }
      }
    }
  }
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
