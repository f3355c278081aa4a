import { Conv2D, FusedConv2D, util, type Conv2DAttrs, type FusedConv2DAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { convParams } from '../conv-params.js';
import { resolveEpilogue } from '../epilogue.js';
import { nhwcConvInfo } from './conv-info.js';
import type { NativeKernelDefinition, NativeKernelFactory } from './types.js';

/** Shared by Conv2D and FusedConv2D: im2col + sgemm (+ bias/activation) over NHWC data, any stride/pad/dilation. */
const createConv2D =
  (fused: boolean): NativeKernelFactory =>
  (addon, stock) =>
  (args) => {
    const backend = asCpuBackend(args.backend);
    const { x, filter, bias } = args.inputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs | Conv2DAttrs;
    if (!backend || !x || !filter) return stock(args);
    const xValues = float32Values(backend, x);
    const filterValues = float32Values(backend, filter);
    const info = nhwcConvInfo(x.shape, filter.shape, attrs, attrs.dilations);
    if (!xValues || !filterValues || !info) return stock(args);
    const fusedAttrs = fused ? (attrs as FusedConv2DAttrs) : undefined;
    const epilogue = resolveEpilogue(
      backend,
      fused ? bias : undefined,
      fusedAttrs?.activation,
      fusedAttrs?.leakyreluAlpha,
      info.outShape,
    );
    if (!epilogue) return stock(args);
    const y = new Float32Array(util.sizeFromShape(info.outShape));
    addon.conv2d(xValues, filterValues, y, convParams(info), epilogue.bias, epilogue.activation, epilogue.alpha);
    return backend.makeTensorInfo([...info.outShape], 'float32', y);
  };

export const conv2DKernel: NativeKernelDefinition = { kernelName: Conv2D, create: createConv2D(false) };

/** tf.fused.conv2d / layers Conv2D outside a gradient tape: bias and activation fused into the native call. */
export const fusedConv2DKernel: NativeKernelDefinition = { kernelName: FusedConv2D, create: createConv2D(true) };
