import { ConfigError } from '@distillery/core';

export interface ImageDims {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Zero-pads `count` HWC images to height x width, centred (extra row/column at the bottom/right when the
 * difference is odd). LeNet-5 takes 32x32 inputs; MNIST digits are 28x28, so the pad is 2 on each side.
 */
export function padImages(inputs: Float32Array, count: number, from: ImageDims, height: number, width: number): Float32Array {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < from.height || width < from.width) {
    throw new ConfigError(
      `cannot pad ${from.height}x${from.width} images to ${height}x${width}`,
      'the target must be integers at least as large as the images (e.g. 32x32 for 28x28 MNIST)',
    );
  }
  const { channels } = from;
  const top = Math.floor((height - from.height) / 2);
  const left = Math.floor((width - from.width) / 2);
  const sourceRow = from.height * from.width * channels;
  const targetRow = height * width * channels;
  const lineLength = from.width * channels;
  const out = new Float32Array(count * targetRow);
  for (let sample = 0; sample < count; sample++) {
    for (let y = 0; y < from.height; y++) {
      const source = sample * sourceRow + y * lineLength;
      const target = sample * targetRow + ((y + top) * width + left) * channels;
      out.set(inputs.subarray(source, source + lineLength), target);
    }
  }
  return out;
}
