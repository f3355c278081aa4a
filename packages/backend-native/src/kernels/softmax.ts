import { Softmax, type SoftmaxAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { MIN_NATIVE_ELEMENTS } from './elementwise.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Softmax over the last axis in one pass per row: max, exp(x - max) (rounded to float32 as the stock
 * kernel stores it), sum in double, divide. The stock kernel subtracts and divides through the
 * general broadcast path: ~440 ms per call on [32, 4, 64, 64] attention scores.
 * From MIN_NATIVE_ELEMENTS values the addon runs the same pass with expf (JS's Math.exp made
 * MiniLM's three [32, 4, 64, 64] softmaxes per step 18 ms each). Other axes go to the stock kernel
 * (which throws for them, as tfjs's cpu backend does).
 */
export const softmaxKernel: NativeKernelDefinition = {
  kernelName: Softmax,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { logits } = args.inputs;
    if (!backend || !logits) return stock(args);
    const values = float32Values(backend, logits);
    const rank = logits.shape.length;
    const { dim } = args.attrs as unknown as SoftmaxAttrs;
    if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return stock(args);
    const n = logits.shape[rank - 1] as number;
    const out = new Float32Array(values.length);
    if (values.length >= MIN_NATIVE_ELEMENTS && n > 0) {
      addon.softmaxRows(values, out, n);
      return backend.makeTensorInfo(logits.shape, 'float32', out);
    }
    for (let start = 0; start < values.length; start += n) {
      const end = start + n;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = start; i < end; i++) {
        const v = values[i] as number;
        // NaN wins, as in the stock Max kernel, so a NaN row gives NaN everywhere
        if (v > max || Number.isNaN(v)) max = v;
      }
      let sum = 0;
      for (let i = start; i < end; i++) {
        const e = Math.fround(Math.exp((values[i] as number) - max));
        out[i] = e;
        sum += e;
      }
      const total = Math.fround(sum);
      for (let i = start; i < end; i++) out[i] = (out[i] as number) / total;
    }
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  },
};
