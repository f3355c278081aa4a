import { util, type DataType, type TensorInfo } from '@tensorflow/tfjs';
import type { CpuBackendLike } from '../cpu-backend.js';

/** Dtypes whose cpu-backend data is a plain numeric TypedArray the JS kernels here can index. */
export type NumericDtype = 'float32' | 'int32' | 'bool';
export type NumericArray = Float32Array | Int32Array | Uint8Array;

export function isNumericDtype(dtype: DataType): dtype is NumericDtype {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/** A fresh zeroed array of the TypedArray class the cpu backend uses for `dtype`. */
export function newArray(dtype: NumericDtype, size: number): NumericArray {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  return new Uint8Array(size);
}

/**
 * The tensor's data (zero-copy) when it is a float32/int32/bool TypedArray of the shape's size, else
 * null (strings, complex tensors, data not yet on the cpu backend): callers then use the stock kernel.
 */
export function numericValues(backend: CpuBackendLike, tensor: TensorInfo | undefined): NumericArray | null {
  if (!tensor || !isNumericDtype(tensor.dtype)) return null;
  const values = backend.data.get(tensor.dataId)?.values;
  const ok = values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array;
  if (!ok || values.length !== util.sizeFromShape(tensor.shape)) return null;
  return values;
}
