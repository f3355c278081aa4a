import { PadV2, Slice, SplitV, backend_util, slice_util, util, type PadV2Attrs, type SliceAttrs, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { asCpuBackend, type CpuBackendLike } from '../cpu-backend.js';
import { stridedCopy, stridesOf } from './strided-copy.js';
import { newArray, numericValues, type NumericArray, type NumericDtype } from './typed-values.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Slice, SplitV and PadV2 as row copies. The stock kernels map every element's index to
 * coordinates and back through TensorBuffer when a slice is not one contiguous run: the gradient of
 * a text CNN's `pad` (a [32, 66, 32] -> [32, 64, 32] slice) took 120 ms per call, the pad itself
 * 7 ms, and splitting a concatenation's gradient 10 ms.
 */

/** x[begin : begin + size] as a fresh tensor, or null when x's data is not a numeric TypedArray. */
function sliceTensor(backend: CpuBackendLike, x: TensorInfo, values: NumericArray, begin: readonly number[], size: readonly number[]): TensorInfo {
  const strides = stridesOf(x.shape);
  const offset = begin.reduce((sum, b, d) => sum + b * (strides[d] as number), 0);
  const out = newArray(x.dtype as NumericDtype, util.sizeFromShape([...size]));
  if (out.length > 0) {
    stridedCopy(
      values.subarray(offset),
      size.map((s, d) => ({ size: s, stride: strides[d] as number })),
      out,
    );
  }
  return backend.makeTensorInfo([...size], x.dtype, out);
}

export const sliceKernel: NativeKernelDefinition = {
  kernelName: Slice,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x) return stock(args);
    const values = numericValues(backend, x);
    if (!values) return stock(args);
    const attrs = args.attrs as unknown as SliceAttrs;
    const [begin = [], size = []] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    slice_util.assertParamsValid(x, begin, size);
    // A contiguous slice is a zero-copy subarray in the stock kernel already.
    if (slice_util.isSliceContinous(x.shape, begin, size)) return stock(args);
    return sliceTensor(backend, x, values, begin, size);
  },
};

export const splitVKernel: NativeKernelDefinition = {
  kernelName: SplitV,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x) return stock(args);
    const values = numericValues(backend, x);
    if (!values) return stock(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const splitAxis = util.parseAxisParam(axis, x.shape)[0] as number;
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, splitAxis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[splitAxis] = s;
      const piece = sliceTensor(backend, x, values, begin, size);
      begin[splitAxis] = (begin[splitAxis] as number) + s;
      return piece;
    });
  },
};

export const padV2Kernel: NativeKernelDefinition = {
  kernelName: PadV2,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x) return stock(args);
    const values = numericValues(backend, x);
    const { paddings, constantValue } = args.attrs as unknown as PadV2Attrs;
    if (!values || paddings.length !== x.shape.length) return stock(args);
    const rank = x.shape.length;
    const outShape = x.shape.map((dim, d) => (paddings[d]?.[0] ?? 0) + dim + (paddings[d]?.[1] ?? 0));
    const out = newArray(x.dtype as NumericDtype, util.sizeFromShape(outShape));
    if (constantValue !== 0) out.fill(constantValue);
    if (values.length === 0) return backend.makeTensorInfo(outShape, x.dtype, out);
    // Axes after `split` are not padded, so from there on each input row of run = prod(x.shape[split..])
    // values lands contiguously in the output; the outer axes are walked by an odometer.
    let split = rank - 1;
    while (split > 0 && (paddings[split]?.[0] ?? 0) === 0 && (paddings[split]?.[1] ?? 0) === 0) split--;
    const outStrides = stridesOf(outShape);
    const run = util.sizeFromShape(x.shape.slice(split));
    const start = paddings.reduce((sum, p, d) => sum + p[0] * (outStrides[d] as number), 0);
    const position = new Array<number>(split).fill(0);
    let dst = start;
    for (let src = 0; src < values.length; src += run) {
      out.set(values.subarray(src, src + run), dst);
      for (let d = split - 1; d >= 0; d--) {
        dst += outStrides[d] as number;
        const next = (position[d] as number) + 1;
        if (next < (x.shape[d] as number)) {
          position[d] = next;
          break;
        }
        position[d] = 0;
        dst -= (outStrides[d] as number) * (x.shape[d] as number);
      }
    }
    return backend.makeTensorInfo(outShape, x.dtype, out);
  },
};
