import { broadcast_util, util } from '@tensorflow/tfjs';

export interface MatmulGeometry {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Elements between consecutive matrices of a (0 when a is broadcast over the batch). */
  strideA: number;
  strideB: number;
  outShape: number[];
}

/**
 * Reads BatchMatMul's operand shapes the way tfjs-backend-cpu does. Returns null for shapes the
 * stock kernel should handle itself: mismatched inner sizes (it throws tfjs's own error) and batch
 * broadcasts other than "same batch" or "one operand has a single matrix".
 */
export function matmulGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatmulGeometry | null {
  const aRank = aShape.length;
  const bRank = bShape.length;
  if (aRank < 2 || bRank < 2) return null;
  const k = (transposeA ? aShape[aRank - 2] : aShape[aRank - 1]) ?? 0;
  const innerB = (transposeB ? bShape[bRank - 1] : bShape[bRank - 2]) ?? 0;
  const m = (transposeA ? aShape[aRank - 1] : aShape[aRank - 2]) ?? 0;
  const n = (transposeB ? bShape[bRank - 2] : bShape[bRank - 1]) ?? 0;
  if (k !== innerB) return null;
  let outer: number[];
  try {
    outer = broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = util.sizeFromShape(outer);
  const batchA = util.sizeFromShape(aShape.slice(0, -2));
  const batchB = util.sizeFromShape(bShape.slice(0, -2));
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  return {
    batch,
    m,
    n,
    k,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}
