import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Building blocks for composite wasm kernels. They call the registered wasm kernel functions directly
 * (not the public ops), so nothing is recorded on the gradient tape or tracked by the engine: every
 * TensorInfo returned here is owned by the backend with one reference, and the caller releases it with
 * `release` unless it becomes the kernel's output.
 */

export type Pair = [number, number];

/** Narrows the kernel's untyped backend; our kernels are registered for 'wasm' only. */
export function asWasmBackend(backend: unknown): BackendWasm {
  if (typeof backend === 'object' && backend !== null && 'typedArrayFromHeap' in backend && 'dataIdMap' in backend) {
    return backend as BackendWasm;
  }
  throw new Error('@distillery/core wasm kernels must run on the tfjs wasm backend');
}

/** Runs one registered wasm kernel that has a single output. */
export function runWasm(
  backend: BackendWasm,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  // getKernel is typed non-null but returns undefined for a missing kernel.
  const kernel = tf.getKernel(kernelName, 'wasm') as tf.KernelConfig | undefined;
  if (kernel === undefined) {
    throw new Error(`tfjs wasm backend has no ${kernelName} kernel, needed by a @distillery/core gradient kernel`);
  }
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    const [first, ...rest] = out;
    for (const extra of rest) backend.disposeData(extra.dataId);
    if (first === undefined) throw new Error(`wasm ${kernelName} returned no output`);
    return first;
  }
  return out;
}

export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transpose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasm(backend, tf.Transpose, { x }, { perm });
}

/** Free on wasm: shares the data and adds a reference. */
export function reshape(backend: BackendWasm, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return runWasm(backend, tf.Reshape, { x }, { shape });
}

export function slice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  return runWasm(backend, tf.Slice, { x }, { begin, size });
}

export function pad(backend: BackendWasm, x: tf.TensorInfo, paddings: Pair[]): tf.TensorInfo {
  return runWasm(backend, tf.PadV2, { x }, { paddings, constantValue: 0 });
}

export function sum(backend: BackendWasm, x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
  return runWasm(backend, tf.Sum, { x }, { axis, keepDims: false });
}

export function reverse(backend: BackendWasm, x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
  return runWasm(backend, tf.Reverse, { x }, { dims });
}

/** NHWC explicit-padding convolution attributes shared by Conv2D and DepthwiseConv2dNative. */
export interface ConvAttrs {
  strides: Pair;
  dilations: Pair;
  padH: Pair;
  padW: Pair;
}

function convAttrs(a: ConvAttrs): tf.NamedAttrMap {
  const padding: tf.backend_util.ExplicitPadding = [[0, 0], a.padH, a.padW, [0, 0]];
  return { strides: a.strides, dilations: a.dilations, pad: padding, dataFormat: 'NHWC' };
}

/** XNNPACK convolution; any stride/dilation combination is accepted at kernel level. */
export function conv2d(backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, a: ConvAttrs): tf.TensorInfo {
  return runWasm(backend, tf.Conv2D, { x, filter }, convAttrs(a));
}

export function depthwiseConv2d(backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, a: ConvAttrs): tf.TensorInfo {
  return runWasm(backend, tf.DepthwiseConv2dNative, { x, filter }, convAttrs(a));
}

/**
 * Keeps the first `keep` rows/columns of an NHWC tensor (axes 1 and 2), releasing the input when it
 * had to be copied. Returns the input itself when nothing is cut.
 */
export function cropSpatial(backend: BackendWasm, x: tf.TensorInfo, keepH: number, keepW: number): tf.TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  if (h === keepH && w === keepW) return x;
  const out = slice(backend, x, [0, 0, 0, 0], [b, keepH, keepW, c]);
  release(backend, x);
  return out;
}
