import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';

export interface ImageGridOptions {
  /** images per row (default: ceil(sqrt(n))) */
  readonly columns?: number;
  /** pixels between images (default 2), filled with `background` */
  readonly padding?: number;
  /** grey level 0..255 of the padding (default 0) */
  readonly background?: number;
  /**
   * how values become 0..255: 'batch' (default) maps the batch's min..max, 'each' every image's own
   * min..max (torchvision's normalize + scale_each), or a fixed [low, high] clipped (e.g. [0, 1] for pixels)
   */
  readonly range?: 'batch' | 'each' | readonly [number, number];
}

/** An 8-bit image: grey (channels 1) or RGB (channels 3), row-major, interleaved. */
export interface GridImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/**
 * Tiles images [n, height, width, channels] (channels 1 or 3; rank 3 [n, h, w] is read as grey) into one
 * 8-bit image, so people can look at what a generator makes. Reads the tensor once (not for hot loops).
 */
export function imageGrid(images: tf.Tensor, options: ImageGridOptions = {}): GridImage {
  const shape = images.rank === 3 ? [...images.shape, 1] : images.shape;
  const [n, h, w, c] = shape as [number, number, number, number];
  if (shape.length !== 4 || (c !== 1 && c !== 3) || !(n >= 1)) {
    throw new ConfigError(`imageGrid needs images [n >= 1, height, width, 1 or 3], got [${images.shape.join(', ')}]`, 'reshape flat samples to images first, e.g. x.reshape([-1, 28, 28, 1])');
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const padding = options.padding ?? 2;
  const background = options.background ?? 0;
  if (!Number.isInteger(columns) || columns < 1 || !Number.isInteger(padding) || padding < 0 || !(background >= 0 && background <= 255)) {
    throw new ConfigError(`imageGrid: columns ${columns}, padding ${padding}, background ${background} out of range`, 'columns >= 1, padding >= 0, background in 0..255');
  }
  const values = images.dataSync() as Float32Array;
  const size = h * w * c;
  const rows = Math.ceil(n / columns);
  const width = columns * w + (columns + 1) * padding;
  const height = rows * h + (rows + 1) * padding;
  const data = new Uint8Array(width * height * c).fill(Math.round(background));
  const range = options.range ?? 'batch';
  const bounds = (start: number, end: number): [number, number] => {
    let low = Infinity;
    let high = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    return [low, high];
  };
  const batchBounds = range === 'batch' ? bounds(0, values.length) : undefined;
  for (let k = 0; k < n; k++) {
    const [low, high] = Array.isArray(range) ? (range as [number, number]) : (batchBounds ?? bounds(k * size, (k + 1) * size));
    const span = high > low ? high - low : 1;
    const top = padding + Math.floor(k / columns) * (h + padding);
    const left = padding + (k % columns) * (w + padding);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          const v = values[k * size + (y * w + x) * c + ch] as number;
          const scaled = Math.round((Math.min(Math.max(v, low), high) - low) / span * 255);
          data[((top + y) * width + left + x) * c + ch] = scaled;
        }
      }
    }
  }
  return { width, height, channels: c as 1 | 3, data };
}
