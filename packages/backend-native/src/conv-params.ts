import { backend_util } from '@tensorflow/tfjs';

/** Field order of dn_conv_params in native/conv.c. */
const CONV_PARAM_FIELDS = 15;

/** Packs an NHWC Conv2DInfo into the Int32Array the addon's conv functions read. */
export function convParams(info: backend_util.Conv2DInfo): Int32Array {
  const params = new Int32Array(CONV_PARAM_FIELDS);
  params.set([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  return params;
}

/** True when the addon can run this convolution: NHWC layout and non-negative padding. */
export function isNativeConv(info: backend_util.Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.padInfo.top >= 0 && info.padInfo.left >= 0;
}
