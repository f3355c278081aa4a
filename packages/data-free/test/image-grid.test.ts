import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@distillery/core';
import { useBackend } from '@distillery/testkit';
import { imageGrid } from '../src/index.js';
import { saveImageGrid } from '../src/node.js';

let folder = '';
beforeAll(async () => {
  await useBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'data-free-grid-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('image grids', () => {
  it('a saved grey grid decodes to the right size and pixel values; no temporary file is left', async () => {
    // 5 images of 3x4 pixels; image k has value (k + pixel / 11) / 5 in [0, 1)
    const values = Array.from({ length: 5 * 12 }, (_, i) => (Math.floor(i / 12) + (i % 12) / 11) / 5);
    const images = tf.tensor4d(values, [5, 3, 4, 1]);
    const path = join(folder, 'grid.png');
    const size = await saveImageGrid(images, path, { columns: 3, padding: 1, background: 128, range: [0, 1] });
    // 3 columns x 4 px + 4 gaps; 2 rows x 3 px + 3 gaps
    expect(size).toEqual({ width: 16, height: 9 });
    const png = PNG.sync.read(await readFile(path));
    expect([png.width, png.height]).toEqual([16, 9]);
    const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4] as number;
    for (let k = 0; k < 5; k++) {
      const top = 1 + Math.floor(k / 3) * 4;
      const left = 1 + (k % 3) * 5;
      for (let p = 0; p < 12; p++) {
        expect(pixel(left + (p % 4), top + Math.floor(p / 4))).toBe(Math.round((values[k * 12 + p] as number) * 255));
      }
    }
    expect(pixel(0, 0)).toBe(128); // padding
    expect(pixel(15, 8)).toBe(128); // the empty sixth cell
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    images.dispose();
  });

  it('RGB images keep their channels; "each" scales every image to its own min..max', () => {
    const images = tf.tensor4d([0, 0, 0, 1, 2, 3, /* second image */ 10, 10, 10, 20, 20, 20], [2, 1, 2, 3]);
    const grid = imageGrid(images, { columns: 2, padding: 0, range: 'each' });
    expect(grid).toMatchObject({ width: 4, height: 1, channels: 3 });
    expect(Array.from(grid.data)).toEqual([0, 0, 0, 85, 170, 255, 0, 0, 0, 255, 255, 255]);
    const batch = imageGrid(images, { columns: 2, padding: 0 });
    expect(batch.data[9]).toBe(Math.round((20 / 20) * 255));
    expect(batch.data[3]).toBe(Math.round((1 / 20) * 255));
    images.dispose();
  });

  it('refuses flat samples with a hint', () => {
    const flat = tf.zeros([4, 784]);
    expect(() => imageGrid(flat)).toThrow(ConfigError);
    flat.dispose();
  });
});
