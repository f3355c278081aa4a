import { Equal, Greater, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { asCpuBackend } from '../cpu-backend.js';
import { broadcastGeometry, broadcastShapeOf } from './broadcast-geometry.js';
import { numericValues, type NumericArray } from './typed-values.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Equal and Greater as bool outputs for float32/int32 operands under any broadcast, walking rows of
 * the output with an odometer instead of mapping every element's index to both operands' coordinates
 * (the stock path, ~0.3 us per element). Max's gradient compares x [B, T, C] with max(x) [B, 1, C]:
 * 23 ms per call for a text CNN's activations. LeakyReLU's gradient compares with a scalar 0.
 */
type Comparison = 'equal' | 'greater';

/** Fills `out` row by row; the innermost dimension reads each operand with stride 1 or 0. */
function compareRows(kind: Comparison, a: NumericArray, b: NumericArray, out: Uint8Array, geometry: Int32Array): void {
  const rank = geometry[0] as number;
  const dims = Array.from(geometry.subarray(1, 1 + rank));
  const stridesA = Array.from(geometry.subarray(1 + rank, 1 + 2 * rank));
  const stridesB = Array.from(geometry.subarray(1 + 2 * rank, 1 + 3 * rank));
  const inner = dims[rank - 1] as number;
  const ia = stridesA[rank - 1] as number;
  const ib = stridesB[rank - 1] as number;
  const position = new Array<number>(rank - 1).fill(0);
  let oa = 0;
  let ob = 0;
  for (let dst = 0; dst < out.length; dst += inner) {
    if (kind === 'equal') {
      for (let k = 0; k < inner; k++) out[dst + k] = a[oa + k * ia] === b[ob + k * ib] ? 1 : 0;
    } else {
      for (let k = 0; k < inner; k++) out[dst + k] = (a[oa + k * ia] as number) > (b[ob + k * ib] as number) ? 1 : 0;
    }
    for (let d = rank - 2; d >= 0; d--) {
      oa += stridesA[d] as number;
      ob += stridesB[d] as number;
      const next = (position[d] as number) + 1;
      if (next < (dims[d] as number)) {
        position[d] = next;
        break;
      }
      position[d] = 0;
      oa -= (stridesA[d] as number) * (dims[d] as number);
      ob -= (stridesB[d] as number) * (dims[d] as number);
    }
  }
}

function comparisonKernel(kernelName: string, kind: Comparison): NativeKernelDefinition {
  return {
    kernelName,
    create: (_addon, stock): KernelFunc => (args) => {
      const backend = asCpuBackend(args.backend);
      const { a, b } = args.inputs as { a?: TensorInfo; b?: TensorInfo };
      if (!backend || !a || !b || a.dtype === 'bool' || b.dtype === 'bool') return stock(args);
      const aValues = numericValues(backend, a);
      const bValues = numericValues(backend, b);
      if (!aValues || !bValues) return stock(args);
      const outShape = broadcastShapeOf(a.shape, b.shape);
      if (!outShape) return stock(args); // rethrown there with tfjs's own message
      const out = new Uint8Array(util.sizeFromShape(outShape));
      if (out.length > 0) compareRows(kind, aValues, bValues, out, broadcastGeometry(a.shape, b.shape, outShape));
      return backend.makeTensorInfo(outShape, 'bool', out);
    },
  };
}

export const equalKernel = comparisonKernel(Equal, 'equal');
export const greaterKernel = comparisonKernel(Greater, 'greater');
