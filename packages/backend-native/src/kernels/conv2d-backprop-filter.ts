import { Conv2DBackpropFilter, util, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { convParams } from '../conv-params.js';
import { nhwcConvInfo, sameShape } from './conv-info.js';
import type { NativeKernelDefinition } from './types.js';

/** dW of a convolution: im2col(x)^T . dy, accumulated over chunks of images. */
export const conv2DBackpropFilterKernel: NativeKernelDefinition = {
  kernelName: Conv2DBackpropFilter,
  create: (addon, stock) => (args) => {
    const backend = asCpuBackend(args.backend);
    const { x, dy } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (!backend || !x || !dy) return stock(args);
    const xValues = float32Values(backend, x);
    const dyValues = float32Values(backend, dy);
    const info = nhwcConvInfo(x.shape, attrs.filterShape, attrs, 1);
    if (!xValues || !dyValues || !info || !sameShape(dy.shape, info.outShape)) return stock(args);
    const dw = new Float32Array(util.sizeFromShape(info.filterShape));
    addon.conv2dBackpropFilter(xValues, dyValues, dw, convParams(info));
    return backend.makeTensorInfo([...info.filterShape], 'float32', dw);
  },
};
