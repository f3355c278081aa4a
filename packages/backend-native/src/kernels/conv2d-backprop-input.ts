import { Conv2DBackpropInput, util, type Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { convParams } from '../conv-params.js';
import { nhwcConvInfo, sameShape } from './conv-info.js';
import type { NativeKernelDefinition } from './types.js';

/** dx of a convolution (and tf.conv2dTranspose): dy . filter^T then col2im. tfjs has no dilation here. */
export const conv2DBackpropInputKernel: NativeKernelDefinition = {
  kernelName: Conv2DBackpropInput,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (!backend || !dy || !filter) return stock(args);
    const dyValues = float32Values(backend, dy);
    const filterValues = float32Values(backend, filter);
    const info = nhwcConvInfo(attrs.inputShape, filter.shape, attrs, 1);
    if (!dyValues || !filterValues || !info || !sameShape(dy.shape, info.outShape)) return stock(args);
    const dx = new Float32Array(util.sizeFromShape(info.inShape));
    addon.conv2dBackpropInput(dyValues, filterValues, dx, convParams(info));
    return backend.makeTensorInfo([...info.inShape], 'float32', dx);
  },
};
