import { _FusedMatMul, type _FusedMatMulAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { resolveEpilogue } from '../epilogue.js';
import { matmulGeometry } from './matmul-geometry.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * _FusedMatMul (tf.fused.matMul, Dense layers outside a gradient tape or with a linear activation):
 * sgemm with the bias-add and activation applied in the same native call. Its gradient is built by
 * tfjs from BatchMatMul, Mul/Step and Sum, so it also runs natively through batchMatMulKernel.
 */
export const fusedMatMulKernel: NativeKernelDefinition = {
  kernelName: _FusedMatMul,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { a, b, bias } = args.inputs;
    const attrs = args.attrs as unknown as _FusedMatMulAttrs;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    if (!backend || !a || !b) return stock(args);
    const aValues = float32Values(backend, a);
    const bValues = float32Values(backend, b);
    const geometry = matmulGeometry(a.shape, b.shape, transposeA, transposeB);
    if (!aValues || !bValues || !geometry) return stock(args);
    const epilogue = resolveEpilogue(backend, bias, attrs.activation, attrs.leakyreluAlpha, geometry.outShape);
    if (!epilogue) return stock(args);
    const { batch, m, n, k, strideA, strideB, outShape } = geometry;
    const out = new Float32Array(batch * m * n);
    addon.matmul(
      aValues,
      bValues,
      out,
      batch,
      m,
      n,
      k,
      transposeA,
      transposeB,
      strideA,
      strideB,
      epilogue.bias,
      epilogue.activation,
      epilogue.alpha,
    );
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
};
