import type { backend_util } from '@tensorflow/tfjs';

/** Field order of dn_pool_params in native/pool.c. */
const POOL_PARAM_FIELDS = 12;

/** Packs an NHWC Pool2DInfo into the Int32Array the addon's pool functions read. */
export function poolParams(info: backend_util.Conv2DInfo): Int32Array {
  const params = new Int32Array(POOL_PARAM_FIELDS);
  params.set([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  return params;
}
