import { ConfigError } from '@distillery/core';
import type { Rng } from './random.js';
import { imageDims, shapeSize } from './shape.js';

/**
 * A per-batch augmentation. It runs on the fresh Float32Array of one batch before the tensor is made,
 * so it costs no tensor ops, and draws every random number from `rng`, which the dataset seeds from
 * (seed, epoch, batch number): augmented runs are reproducible too.
 */
export interface BatchTransform {
  readonly name: string;
  /** throws a ConfigError when the transform cannot handle samples laid out as `imageShape` */
  check(imageShape: readonly number[]): void;
  /** rewrites the first `count` rows of `x` (each `imageShape`, row-major) in place */
  apply(x: Float32Array, count: number, imageShape: readonly number[], rng: Rng): void;
}

function checkNonNegativeInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${what} must be a non-negative integer, got ${value}`, `set ${what} to 0, 1, 2, ...`);
  }
}

/**
 * Random translation ("jitter"): every image moves by its own integer (dy, dx) drawn uniformly from
 * [-maxShift, maxShift]^2; pixels shifted in from outside are 0 (MNIST's background).
 */
export function randomTranslation(options: { readonly maxShift: number }): BatchTransform {
  const { maxShift } = options;
  checkNonNegativeInteger('maxShift', maxShift);
  return {
    name: `translate(${maxShift})`,
    check(imageShape) {
      imageDims('randomTranslation', imageShape);
    },
    apply(x, count, imageShape, rng) {
      const { height, width, channels } = imageDims('randomTranslation', imageShape);
      const rowLength = height * width * channels;
      const source = new Float32Array(rowLength);
      const span = 2 * maxShift + 1;
      for (let sample = 0; sample < count; sample++) {
        const dy = rng.nextInt(span) - maxShift;
        const dx = rng.nextInt(span) - maxShift;
        if (dy === 0 && dx === 0) continue;
        const offset = sample * rowLength;
        source.set(x.subarray(offset, offset + rowLength));
        x.fill(0, offset, offset + rowLength);
        // Copy the overlapping window: output pixel (y, c) takes input pixel (y - dy, c - dx).
        const yStart = Math.max(0, dy);
        const yEnd = Math.min(height, height + dy);
        const xStart = Math.max(0, dx);
        const xEnd = Math.min(width, width + dx);
        if (xStart >= xEnd) continue;
        for (let y = yStart; y < yEnd; y++) {
          const from = ((y - dy) * width + (xStart - dx)) * channels;
          const to = offset + (y * width + xStart) * channels;
          x.set(source.subarray(from, from + (xEnd - xStart) * channels), to);
        }
      }
    },
  };
}

/** Mirrors each image left-right with the given probability (CIFAR-style augmentation). */
export function horizontalFlip(options: { readonly probability?: number } = {}): BatchTransform {
  const probability = options.probability ?? 0.5;
  if (!(probability >= 0 && probability <= 1)) {
    throw new ConfigError(`flip probability ${probability} is outside [0, 1]`, 'pass a probability such as 0.5');
  }
  return {
    name: `hflip(${probability})`,
    check(imageShape) {
      imageDims('horizontalFlip', imageShape);
    },
    apply(x, count, imageShape, rng) {
      const { height, width, channels } = imageDims('horizontalFlip', imageShape);
      const rowLength = height * width * channels;
      for (let sample = 0; sample < count; sample++) {
        if (rng.nextFloat() >= probability) continue;
        for (let y = 0; y < height; y++) {
          const line = sample * rowLength + y * width * channels;
          for (let left = 0, right = width - 1; left < right; left++, right--) {
            for (let c = 0; c < channels; c++) {
              const a = line + left * channels + c;
              const b = line + right * channels + c;
              const tmp = x[a] as number;
              x[a] = x[b] as number;
              x[b] = tmp;
            }
          }
        }
      }
    },
  };
}

/** Adds independent N(0, std^2) noise to every element; works on any sample shape. */
export function gaussianNoise(options: { readonly std: number }): BatchTransform {
  const { std } = options;
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new ConfigError(`noise std ${std} must be a finite number >= 0`, 'pass e.g. { std: 0.1 }');
  }
  return {
    name: `noise(${std})`,
    check() {},
    apply(x, count, imageShape, rng) {
      const end = count * shapeSize(imageShape);
      for (let i = 0; i < end; i++) x[i] = (x[i] as number) + std * rng.nextNormal();
    },
  };
}

/** Applies transforms left to right, sharing one random stream. */
export function composeTransforms(...transforms: readonly BatchTransform[]): BatchTransform {
  return {
    name: transforms.map((t) => t.name).join('+'),
    check(imageShape) {
      for (const t of transforms) t.check(imageShape);
    },
    apply(x, count, imageShape, rng) {
      for (const t of transforms) t.apply(x, count, imageShape, rng);
    },
  };
}
