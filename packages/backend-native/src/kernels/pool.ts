import {
  AvgPool,
  AvgPoolGrad,
  MaxPool,
  MaxPoolGrad,
  backend_util,
  util,
  type AvgPoolAttrs,
  type AvgPoolGradAttrs,
  type MaxPoolAttrs,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asCpuBackend, float32Values, type CpuBackendLike } from '../cpu-backend.js';
import { poolParams } from '../pool-params.js';
import type { NativeAddon } from '../addon.js';
import { sameShape } from './conv-info.js';
import type { NativeKernelDefinition } from './types.js';

type PoolAttrs = Pick<MaxPoolAttrs, 'filterSize' | 'strides' | 'pad'> & { dimRoundingMode?: MaxPoolAttrs['dimRoundingMode'] };

/** Pool2DInfo as the stock kernel computes it, or null for shapes the addon does not cover. */
function poolInfo(x: TensorInfo, attrs: PoolAttrs, withRounding: boolean): backend_util.Conv2DInfo | null {
  if (x.shape.length !== 4) return null;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    withRounding ? attrs.dimRoundingMode : undefined,
  );
  if (info.padInfo.top < 0 || info.padInfo.left < 0) return null;
  // A 1x1 window that keeps the shape is an identity: the stock kernel returns it without copying.
  const identity = info.filterHeight === 1 && info.filterWidth === 1 && sameShape(info.inShape, info.outShape);
  return identity ? null : info;
}

function forward(kind: 'max' | 'avg'): NativeKernelDefinition['create'] {
  return (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x } = args.inputs;
    if (!backend || !x) return stock(args);
    const values = float32Values(backend, x);
    const info = poolInfo(x, args.attrs as unknown as MaxPoolAttrs | AvgPoolAttrs, true);
    if (!values || !info) return stock(args);
    const y = new Float32Array(util.sizeFromShape(info.outShape));
    (kind === 'max' ? addon.maxPool : addon.avgPool)(values, y, poolParams(info));
    return backend.makeTensorInfo([...info.outShape], 'float32', y);
  };
}

function runMaxPoolGrad(addon: NativeAddon, backend: CpuBackendLike, x: Float32Array, dy: Float32Array, info: backend_util.Conv2DInfo): TensorInfo {
  const dx = new Float32Array(util.sizeFromShape(info.inShape));
  addon.maxPoolGrad(x, dy, dx, poolParams(info));
  return backend.makeTensorInfo([...info.inShape], 'float32', dx);
}

/** MaxPool forward: per channel the first strict maximum of each window (NaN never wins). */
export const maxPoolKernel: NativeKernelDefinition = { kernelName: MaxPool, create: forward('max') };

/** AvgPool forward: mean over each window's unpadded positions. */
export const avgPoolKernel: NativeKernelDefinition = { kernelName: AvgPool, create: forward('avg') };

/**
 * MaxPoolGrad: the stock cpu kernel reads every element through TensorBuffer.get and took ~1 s per
 * call on a [64, 26, 26, 32] activation; this routes each dy to its window's argmax in one pass.
 */
export const maxPoolGradKernel: NativeKernelDefinition = {
  kernelName: MaxPoolGrad,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { dy, input } = args.inputs;
    if (!backend || !dy || !input) return stock(args);
    const dyValues = float32Values(backend, dy);
    const xValues = float32Values(backend, input);
    const info = poolInfo(input, args.attrs as unknown as MaxPoolGradAttrs, true);
    if (!dyValues || !xValues || !info || !sameShape(dy.shape, info.outShape)) return stock(args);
    return runMaxPoolGrad(addon, backend, xValues, dyValues, info);
  },
};

/** AvgPoolGrad with the stock kernel's scaling (1 / window size, padding included). */
export const avgPoolGradKernel: NativeKernelDefinition = {
  kernelName: AvgPoolGrad,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { dy, input } = args.inputs;
    if (!backend || !dy || !input) return stock(args);
    const dyValues = float32Values(backend, dy);
    // The stock kernel ignores dimRoundingMode here; so does this one.
    const info = poolInfo(input, args.attrs as unknown as AvgPoolGradAttrs, false);
    if (!dyValues || input.dtype !== 'float32' || !info || !sameShape(dy.shape, info.outShape)) return stock(args);
    const dx = new Float32Array(util.sizeFromShape(info.inShape));
    addon.avgPoolGrad(dyValues, dx, poolParams(info));
    return backend.makeTensorInfo([...info.inShape], 'float32', dx);
  },
};

export const POOL_KERNELS: readonly NativeKernelDefinition[] = [maxPoolKernel, maxPoolGradKernel, avgPoolKernel, avgPoolGradKernel];
