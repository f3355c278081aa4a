import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposedConvInput } from './transposed-conv.js';
import { asWasmBackend, conv2d, cropSpatial, release, reverse, slice, transpose } from './wasm-ops.js';

type Shape4 = [number, number, number, number];

/**
 * The stock wasm Conv2DBackpropInput is a scalar C++ loop, ~10x slower than the forward convolution,
 * and it is the input gradient of every conv layer but the first. These paths use XNNPACK convolutions:
 *  - stride 1: one convolution of dy with the flipped filter, in/out channels swapped;
 *  - stride s > 1: the s_h*s_w output phases (rows h with (h + padTop) % s_h == r) each depend on only
 *    the taps fh = r + i*s_h, so each phase is a stride-1 convolution of dy with that sub-filter, and the
 *    phases are interleaved into dx. Same multiply count as the forward pass, where convolving the
 *    zero-spread dy would cost s_h*s_w times more.
 */
function conv2DBackpropInput(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as tf.Conv2DBackpropInputInputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput needs dy and filter');
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("wasm Conv2DBackpropInput supports dataFormat 'NHWC' only, like the wasm Conv2D kernel");
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (info.strideHeight === 1 && info.strideWidth === 1) return unitStride(backend, dy, filter, info);
  return byPhase(backend, dy, filter, info);
}

function unitStride(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { x, conv } = transposedConvInput(backend, dy, info);
  const flipped = reverse(backend, filter, [0, 1]);
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
  release(backend, flipped);
  const out = conv2d(backend, x, swapped, conv);
  release(backend, x, swapped);
  return cropSpatial(backend, out, info.inHeight, info.inWidth);
}

/** One axis of a phase: which taps it uses and which of its output positions land inside dx. */
interface PhaseAxis {
  /** Phase index r: dx positions p with (p + pad) % stride == r. */
  r: number;
  /** Taps r, r + s, ... below the filter size. */
  taps: number;
  /** First and count of q, where dx position = q*stride + r - pad. */
  qFirst: number;
  count: number;
}

function phaseAxis(r: number, stride: number, filterSize: number, pad: number, inSize: number): PhaseAxis {
  const taps = filterSize > r ? Math.ceil((filterSize - r) / stride) : 0;
  const qFirst = Math.ceil((pad - r) / stride);
  const qLast = Math.floor((inSize - 1 + pad - r) / stride);
  return { r, taps, qFirst, count: Math.max(0, qLast - qFirst + 1) };
}

/**
 * Sub-filter [taps_h, taps_w, O, C] of phase (rh, rw): tap (a, b) = f[rh + (taps_h-1-a)*sh, rw + (taps_w-1-b)*sw],
 * flipped and with in/out channels swapped, gathered straight from the heap (filters are small).
 */
function subFilter(backend: BackendWasm, filter: tf.TensorInfo, h: PhaseAxis, w: PhaseAxis, sh: number, sw: number): tf.TensorInfo {
  const [, fw, cin, cout] = filter.shape as Shape4;
  const out = backend.makeOutput([h.taps, w.taps, cout, cin], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  let k = 0;
  for (let a = 0; a < h.taps; a++) {
    const fhIndex = h.r + (h.taps - 1 - a) * sh;
    for (let b = 0; b < w.taps; b++) {
      const base = (fhIndex * fw + w.r + (w.taps - 1 - b) * sw) * cin * cout;
      for (let o = 0; o < cout; o++) for (let c = 0; c < cin; c++) dst[k++] = src[base + c * cout + o] as number;
    }
  }
  return out;
}

function byPhase(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const [batch, outH, outW, cout] = dy.shape as Shape4;
  const { inHeight: inH, inWidth: inW, inChannels: cin, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Allocated first: later allocations may grow the heap, so views are always taken just before use.
  const dx = backend.makeOutput([batch, inH, inW, cin], 'float32');
  backend.typedArrayFromHeap(dx).fill(0);

  for (let rh = 0; rh < sh; rh++) {
    const h = phaseAxis(rh, sh, info.filterHeight, top, inH);
    if (h.taps === 0 || h.count === 0) continue; // rows no tap reaches keep their zero gradient
    for (let rw = 0; rw < sw; rw++) {
      const w = phaseAxis(rw, sw, info.filterWidth, left, inW);
      if (w.taps === 0 || w.count === 0) continue;
      // Output q reads dy rows q - taps + 1 .. q; with q starting at qFirst that is a top pad of
      // taps - 1 - qFirst (a cut when negative).
      const padTop = h.taps - 1 - h.qFirst;
      const padLeft = w.taps - 1 - w.qFirst;
      const cutTop = Math.max(0, -padTop);
      const cutLeft = Math.max(0, -padLeft);
      const source = cutTop > 0 || cutLeft > 0
        ? slice(backend, dy, [0, cutTop, cutLeft, 0], [batch, Math.max(0, outH - cutTop), Math.max(0, outW - cutLeft), cout])
        : dy;
      const [, srcH, srcW] = source.shape as Shape4;
      if (srcH === 0 || srcW === 0) {
        if (source !== dy) release(backend, source);
        continue;
      }
      const top0 = Math.max(0, padTop);
      const left0 = Math.max(0, padLeft);
      const bottom = Math.max(0, h.count + h.taps - 1 - top0 - srcH);
      const right = Math.max(0, w.count + w.taps - 1 - left0 - srcW);
      const sub = subFilter(backend, filter, h, w, sh, sw);
      const phase = conv2d(backend, source, sub, { strides: [1, 1], dilations: [1, 1], padH: [top0, bottom], padW: [left0, right] });
      release(backend, sub);
      if (source !== dy) release(backend, source);
      scatterPhase(backend, phase, dx, h, w, sh, sw, top, left);
      release(backend, phase);
    }
  }
  return dx;
}

/** dx[b, (qFirst_h+t)*sh + rh - top, (qFirst_w+u)*sw + rw - left, :] = phase[b, t, u, :]. */
function scatterPhase(
  backend: BackendWasm, phase: tf.TensorInfo, dx: tf.TensorInfo, h: PhaseAxis, w: PhaseAxis,
  sh: number, sw: number, top: number, left: number,
): void {
  const [batch, inH, inW, cin] = dx.shape as Shape4;
  const [, phaseH, phaseW] = phase.shape as Shape4;
  const dst = backend.typedArrayFromHeap(dx);
  const src = backend.typedArrayFromHeap(phase);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < h.count && t < phaseH; t++) {
      const row = (h.qFirst + t) * sh + h.r - top;
      const srcRow = (b * phaseH + t) * phaseW;
      const dstRow = (b * inH + row) * inW;
      for (let u = 0; u < w.count && u < phaseW; u++) {
        const col = (w.qFirst + u) * sw + w.r - left;
        dst.set(src.subarray((srcRow + u) * cin, (srcRow + u + 1) * cin), (dstRow + col) * cin);
      }
    }
  }
}

export function fastConv2DBackpropInputConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return { ...stock, kernelFunc: conv2DBackpropInput };
}
