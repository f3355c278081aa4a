import { Sum, backend_util, util, type SumAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { MIN_NATIVE_ELEMENTS } from './elementwise.js';
import type { NativeKernelDefinition } from './types.js';

/**
 * Sum over one contiguous run of axes (bias gradients reduce axis 0, means reduce the last axes)
 * without the transpose the stock kernel makes first. Other axis sets go to the stock kernel.
 */
export const sumKernel: NativeKernelDefinition = {
  kernelName: Sum,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x) return stock(args);
    const values = float32Values(backend, x);
    if (!values || values.length < MIN_NATIVE_ELEMENTS) return stock(args);
    const attrs = args.attrs as unknown as SumAttrs;
    const axes = [...util.parseAxisParam(attrs.axis, x.shape)].sort((p, q) => p - q);
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (first === undefined || last === undefined || last - first + 1 !== axes.length) return stock(args);
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const reduce = util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    const reducedShape = x.shape.filter((_, axis) => axis < first || axis > last);
    const outShape = attrs.keepDims ? backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
    const out = new Float32Array(outer * inner);
    addon.reduceSum(values, out, outer, reduce, inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
};
