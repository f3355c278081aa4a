import { backend_util, type Conv2DAttrs } from '@tensorflow/tfjs';
import { isNativeConv } from '../conv-params.js';
import { isShape4D } from './types.js';

/**
 * Conv2DInfo for an NHWC convolution, computed with tfjs's own helper so output sizes and 'same'
 * padding match the stock kernels exactly; null when the addon does not cover the case (NCHW,
 * non-4D shapes, channel counts that disagree).
 */
export function nhwcConvInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
  dilations: Conv2DAttrs['dilations'],
): backend_util.Conv2DInfo | null {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const x = [...xShape];
  const filter = [...filterShape];
  if (!isShape4D(x) || !isShape4D(filter) || x[3] !== filter[2]) return null;
  const info = backend_util.computeConv2DInfo(
    x,
    filter,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return isNativeConv(info) ? info : null;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}
