import { Cast, type CastAttrs } from '@tensorflow/tfjs';
import { asCpuBackend } from '../cpu-backend.js';
import { numericValues } from './typed-values.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Cast of bool or int32 data to float32 as a real Float32Array. The stock kernel shares the input's
 * Uint8Array/Int32Array and only relabels it float32, so every native kernel that later reads the
 * result (which needs Float32Array data) handed it back to the stock path: a text model's padding
 * mask, cast from `ids != 0`, made each [32, 64, 32] x [32, 64, 1] multiply 26 ms instead of 0.5,
 * and max-pooling's gradient mask (`cast(x == max)`) likewise. Copying costs one pass over a mask.
 */
export const castKernel: NativeKernelDefinition = {
  kernelName: Cast,
  create: (_addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (!backend || !x || dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return stock(args);
    const values = numericValues(backend, x);
    if (!values) return stock(args);
    return backend.makeTensorInfo([...x.shape], 'float32', Float32Array.from(values));
  },
};
