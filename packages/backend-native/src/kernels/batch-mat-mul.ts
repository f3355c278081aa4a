import { BatchMatMul, type BatchMatMulAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { matmulGeometry } from './matmul-geometry.js';
import type { NativeKernelDefinition } from './types.js';

/** BatchMatMul via cblas_sgemm: also every matmul in Dense/_FusedMatMul gradients (dX = dY.W^T, dW = X^T.dY). */
export const batchMatMulKernel: NativeKernelDefinition = {
  kernelName: BatchMatMul,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { a, b } = args.inputs;
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    if (!backend || !a || !b) return stock(args);
    const aValues = float32Values(backend, a);
    const bValues = float32Values(backend, b);
    const geometry = matmulGeometry(a.shape, b.shape, transposeA, transposeB);
    if (!aValues || !bValues || !geometry) return stock(args);
    const { batch, m, n, k, strideA, strideB, outShape } = geometry;
    const out = new Float32Array(batch * m * n);
    addon.matmul(aValues, bValues, out, batch, m, n, k, transposeA, transposeB, strideA, strideB, null, 0, 0);
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
};
