import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from './wasm-ops.js';

/**
 * out[segmentIds[i], ...] += x[i, ...], rows with an id outside [0, numSegments) dropped (as on the cpu
 * backend). A single scatter-add pass over the wasm heap: this is the gradient of gather, so embedding
 * tables train with it.
 */
function unsortedSegmentSum(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, segmentIds } = args.inputs as tf.UnsortedSegmentSumInputs;
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x === undefined || segmentIds === undefined) throw new Error('UnsortedSegmentSum needs x and segmentIds');
  const rows = segmentIds.shape.length === 0 ? 1 : (segmentIds.shape[0] ?? 0);
  if (segmentIds.shape.length > 1 || x.shape[0] !== rows) {
    throw new Error(
      `wasm UnsortedSegmentSum expects 1-D segmentIds matching x's first dimension; got x ${JSON.stringify(x.shape)} ` +
        `and segmentIds ${JSON.stringify(segmentIds.shape)}`,
    );
  }
  const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
  // makeOutput may grow the heap and detach earlier views, so allocate before taking any view.
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < rows; i++) {
    const id = ids[i] ?? -1;
    if (!(id >= 0 && id < numSegments)) continue;
    const src = i * rowSize;
    const dst = id * rowSize;
    for (let j = 0; j < rowSize; j++) outValues[dst + j] = (outValues[dst + j] as number) + (xValues[src + j] as number);
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
