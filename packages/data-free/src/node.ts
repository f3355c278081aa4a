// Node-only entry point (file system). Browser code imports "@distillery/data-free" only.
import type * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@distillery/core/node';
import { PNG } from 'pngjs';
import { imageGrid, type GridImage, type ImageGridOptions } from './images/image-grid.js';

/** PNG bytes of a grid image (8-bit grey or RGB). */
export function encodePng(grid: GridImage): Uint8Array {
  const png = new PNG({ width: grid.width, height: grid.height });
  // pngjs holds RGBA in memory; the file is written as grey (colorType 0) or RGB (2)
  for (let i = 0; i < grid.width * grid.height; i++) {
    const grey = grid.data[i * grid.channels] as number;
    png.data[i * 4] = grey;
    png.data[i * 4 + 1] = grid.channels === 3 ? (grid.data[i * 3 + 1] as number) : grey;
    png.data[i * 4 + 2] = grid.channels === 3 ? (grid.data[i * 3 + 2] as number) : grey;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: grid.channels === 3 ? 2 : 0 });
}

/**
 * Saves images [n, height, width, 1 or 3] as one PNG grid at `path`, written atomically (a temporary
 * file renamed over the target). Returns the grid's pixel size.
 */
export async function saveImageGrid(images: tf.Tensor, path: string, options: ImageGridOptions = {}): Promise<{ width: number; height: number }> {
  const grid = imageGrid(images, options);
  await writeFileAtomic(path, encodePng(grid));
  return { width: grid.width, height: grid.height };
}

export { imageGrid } from './images/image-grid.js';
export type { GridImage, ImageGridOptions } from './images/image-grid.js';
