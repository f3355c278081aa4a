import { util, type DataId, type DataType, type TensorInfo } from '@tensorflow/tfjs';

/**
 * The slice of tfjs-backend-cpu's MathBackendCPU these kernels use. The cpu backend keeps every
 * tensor's data in a JS TypedArray, which is what lets native code read and write it without copies.
 */
export interface CpuBackendLike {
  data: { get(dataId: DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array | Int32Array | Uint8Array): TensorInfo;
}

export function asCpuBackend(backend: unknown): CpuBackendLike | null {
  const candidate = backend as Partial<CpuBackendLike> | null;
  if (candidate === null || typeof candidate !== 'object') return null;
  if (typeof candidate.makeTensorInfo !== 'function' || typeof candidate.data?.get !== 'function') return null;
  return candidate as CpuBackendLike;
}

/**
 * The tensor's Float32Array (zero-copy), or null when it is not float32 data the addon can use
 * (other dtypes, complex tensors, or an array whose length is not the shape's size).
 */
export function float32Values(backend: CpuBackendLike, tensor: TensorInfo | undefined): Float32Array | null {
  if (!tensor || tensor.dtype !== 'float32') return null;
  const values = backend.data.get(tensor.dataId)?.values;
  if (!(values instanceof Float32Array) || values.length !== util.sizeFromShape(tensor.shape)) return null;
  return values;
}
