import { broadcast_util } from '@tensorflow/tfjs';

/** The broadcast output shape of a and b, or null when they do not broadcast (the stock kernel then throws tfjs's own error). */
export function broadcastShapeOf(aShape: readonly number[], bShape: readonly number[]): number[] | null {
  try {
    return broadcast_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  } catch {
    return null;
  }
}

/**
 * The addon's binaryBroadcast geometry for `a (op) b -> out`: Int32Array [rank, dims..., aStrides...,
 * bStrides...] where a stride of 0 repeats the operand along that dimension. Dimensions of size 1
 * are dropped and neighbours that both operands walk contiguously (or both repeat) are merged, so
 * [128, 10] - [128, 1] becomes 128 rows of "10 values minus one value".
 */
export function broadcastGeometry(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const strides = (shape: readonly number[]): number[] => {
    const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
    const result = new Array<number>(rank).fill(0);
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const dim = padded[d] ?? 1;
      result[d] = dim === 1 ? 0 : stride;
      stride *= dim;
    }
    return result;
  };
  const sa = strides(aShape);
  const sb = strides(bShape);
  const dims: number[] = [];
  const outA: number[] = [];
  const outB: number[] = [];
  for (let d = 0; d < rank; d++) {
    const dim = outShape[d] ?? 1;
    if (dim === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous dimension when, for both operands, stepping it once equals stepping this one `dim` times.
    if (last >= 0 && outA[last] === sa[d]! * dim && outB[last] === sb[d]! * dim) {
      dims[last] = dims[last]! * dim;
      outA[last] = sa[d]!;
      outB[last] = sb[d]!;
      continue;
    }
    dims.push(dim);
    outA.push(sa[d]!);
    outB.push(sb[d]!);
  }
  if (dims.length === 0) return Int32Array.from([1, 1, 0, 0]);
  return Int32Array.from([dims.length, ...dims, ...outA, ...outB]);
}
