import { GatherV2, UnsortedSegmentSum, backend_util, util, type GatherV2Attrs, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { asCpuBackend } from '../cpu-backend.js';
import { newArray, numericValues } from './typed-values.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * out[segmentIds[i], ...] += x[i, ...] in one pass, summed in double. The stock kernel builds a mask
 * and a full product per segment (O(numSegments x size)): as the gradient of an embedding lookup over
 * a vocabulary of 3,000 that was 125 s of a 128 s Transformer step. Ids outside [0, numSegments) are
 * dropped, and the output is float32 for any input dtype, as in the stock kernel. (Unlike it, a NaN or
 * infinity in x stays in its own segment instead of spreading to every segment through mask * x.)
 * Segment ids of rank other than 1 and numSegments 0 go to the stock kernel.
 */
export const unsortedSegmentSumKernel: NativeKernelDefinition = {
  kernelName: UnsortedSegmentSum,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x, segmentIds } = args.inputs;
    if (!backend || !x || !segmentIds) return stock(args);
    const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
    const values = numericValues(backend, x);
    const ids = numericValues(backend, segmentIds);
    const rows = segmentIds.shape[0];
    if (!values || !ids || segmentIds.shape.length !== 1 || x.shape[0] !== rows || !(numSegments >= 1)) return stock(args);
    const rowSize = util.sizeFromShape(x.shape.slice(1));
    const sums = new Float64Array(numSegments * rowSize);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!(id >= 0 && id < numSegments)) continue;
      const src = i * rowSize;
      const dst = Math.trunc(id) * rowSize;
      for (let j = 0; j < rowSize; j++) sums[dst + j] = (sums[dst + j] as number) + (values[src + j] as number);
    }
    return backend.makeTensorInfo([numSegments, ...x.shape.slice(1)], 'float32', new Float32Array(sums));
  },
};

/**
 * Gather as row copies instead of the stock kernel's per-element index arithmetic through
 * TensorBuffer (100 ms for one [2048, 64] embedding lookup on a loaded machine). Out-of-range indices, strings and
 * complex tensors go to the stock kernel (which throws on the first two as tfjs does).
 */
export const gatherV2Kernel: NativeKernelDefinition = {
  kernelName: GatherV2,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x, indices } = args.inputs;
    if (!backend || !x || !indices) return stock(args);
    const values = numericValues(backend, x);
    const index = numericValues(backend, indices);
    if (!values || !index || x.dtype === 'bool') return stock(args);
    const attrs = args.attrs as unknown as GatherV2Attrs;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0] as number;
    const dimSize = x.shape[axis] as number;
    for (let i = 0; i < index.length; i++) {
      const k = index[i] as number;
      if (!(k >= 0 && k <= dimSize - 1)) return stock(args);
    }
    const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, axis, attrs.batchDims ?? 0);
    const { batchSize, outerSize, sliceSize } = info;
    const perBatch = index.length / batchSize;
    const out = newArray(x.dtype === 'int32' ? 'int32' : 'float32', util.sizeFromShape(info.outputShape));
    let dst = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const base = (b * outerSize + o) * dimSize;
        for (let i = 0; i < perBatch; i++) {
          const src = (base + Math.trunc(index[b * perBatch + i] as number)) * sliceSize;
          // subarray + set is a memcpy for long rows; short rows copy faster element by element
          if (sliceSize >= 16) out.set(values.subarray(src, src + sliceSize), dst);
          else for (let s = 0; s < sliceSize; s++) out[dst + s] = values[src + s] as number;
          dst += sliceSize;
        }
      }
    }
    return backend.makeTensorInfo(info.outputShape, x.dtype, out);
  },
};
