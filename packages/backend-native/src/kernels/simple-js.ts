import { Floor, Neg, Rsqrt, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { CpuBackendLike } from '../cpu-backend.js';
import { asCpuBackend } from '../cpu-backend.js';
import { newArray, numericValues } from './typed-values.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Kernels whose stock versions are slow for no arithmetic reason: a scalar operand routed through
 * the general broadcast path (an index computation per element, ~0.1-0.4 us), or an elementwise op
 * called through one loop that every stock unary kernel shares (a megamorphic call per element,
 * ~20 ns). Here each kernel has its own plain loop over the TypedArrays, in JS: the work per element
 * is one operation, so a call into the addon would gain little.
 */

/** float32 input and output data, or null (then the stock kernel runs). */
function float32Unary(args: Parameters<KernelFunc>[0]): { backend: CpuBackendLike; x: TensorInfo; values: Float32Array } | null {
  const backend = asCpuBackend(args.backend);
  const { x } = args.inputs;
  if (!backend || !x || x.dtype !== 'float32') return null;
  const values = numericValues(backend, x);
  return values instanceof Float32Array ? { backend, x, values } : null;
}

export const floorKernel: NativeKernelDefinition = {
  kernelName: Floor,
  create: (_addon, stock) => (args) => {
    const input = float32Unary(args);
    if (!input) return stock(args);
    const { values } = input;
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Math.floor(values[i] as number);
    return input.backend.makeTensorInfo(input.x.shape, 'float32', out);
  },
};

/** 1 / sqrt(x), as the stock kernel computes it (a layer norm's [B, L, 1] scale: 0.8 ms per call there). */
export const rsqrtKernel: NativeKernelDefinition = {
  kernelName: Rsqrt,
  create: (_addon, stock) => (args) => {
    const input = float32Unary(args);
    if (!input) return stock(args);
    const { values } = input;
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = 1 / Math.sqrt(values[i] as number);
    return input.backend.makeTensorInfo(input.x.shape, 'float32', out);
  },
};

/** -x for float32 and int32 (stock: multiply by a scalar -1 through the broadcast path). */
export const negKernel: NativeKernelDefinition = {
  kernelName: Neg,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock(args);
    const values = numericValues(backend, x);
    if (!values) return stock(args);
    const out = newArray(x.dtype, values.length);
    for (let i = 0; i < values.length; i++) out[i] = -(values[i] as number);
    return backend.makeTensorInfo(x.shape, x.dtype, out);
  },
};
