import * as tf from '@tensorflow/tfjs';
import { ConfigError, mulberry32, requirePositiveInteger, type Batch, type BatchOptions, type Dataset } from '@distillery/core';
import { deriveSeed } from '@distillery/models';

export type NoiseDistribution = 'normal' | 'uniform';

export interface NoiseDatasetOptions {
  readonly size: number;
  /** per-sample shape, e.g. [32, 32, 1] */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly seed: number;
  /** 'normal' (default): N(mean, std^2) per value; 'uniform': U[mean - std * sqrt(3), mean + std * sqrt(3)] (same moments) */
  readonly distribution?: NoiseDistribution;
  readonly mean?: number;
  readonly std?: number;
  readonly name?: string;
}

/**
 * Seeded random inputs, generated per sample index on demand (sample i is always the same values, and
 * nothing is held in memory). Two uses:
 * - the random-noise baseline of DAFL/DFAD: offline KD on noise (labels are meaningless: i mod classes;
 *   use alpha 1 so only the teacher's outputs count). MNIST pixels in [0, 1] have mean 0.1307 and std
 *   0.3081, so N(0.1307, 0.3081^2) is DAFL's N(0, 1) in normalised space;
 * - the step clock of the data-free schemes: they ignore batch contents and read only batch.size, so
 *   size / batchSize sets the iterations per epoch.
 */
export function noiseDataset(options: NoiseDatasetOptions): Dataset {
  const { size, inputShape, numClasses, seed } = options;
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const distribution = options.distribution ?? 'normal';
  requirePositiveInteger('noiseDataset', 'size', size, 'e.g. 60000');
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new ConfigError(`noiseDataset: numClasses must be an integer >= 2, got ${numClasses}`, 'the teacher\'s class count');
  if (!(std >= 0) || !Number.isFinite(mean)) throw new ConfigError(`noiseDataset: std must be >= 0 and mean finite, got ${std} / ${mean}`, 'e.g. mean 0, std 1');
  if (distribution !== 'normal' && distribution !== 'uniform') throw new ConfigError(`noiseDataset: unknown distribution "${String(distribution)}"`, 'use "normal" or "uniform"');
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  const halfWidth = std * Math.sqrt(3);

  const fill = (out: Float32Array, offset: number, index: number): void => {
    const random = mulberry32(deriveSeed(seed, `noise/${index}`));
    for (let i = 0; i < sampleSize; i++) {
      out[offset + i] = distribution === 'normal' ? mean + std * random.normal() : mean - halfWidth + 2 * halfWidth * random.uniform();
    }
  };

  function* batches(batchOptions: BatchOptions): Iterable<Batch> {
    const order = Array.from({ length: size }, (_, i) => i);
    if (batchOptions.shuffle) {
      const random = mulberry32(deriveSeed(batchOptions.seed, `noise-order/${batchOptions.epoch}`));
      for (let i = size - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    for (let start = 0; start < size; start += batchOptions.batchSize) {
      const picked = order.slice(start, start + batchOptions.batchSize);
      if (batchOptions.dropRemainder && picked.length < batchOptions.batchSize) return;
      const values = new Float32Array(picked.length * sampleSize);
      picked.forEach((index, row) => fill(values, row * sampleSize, index));
      yield {
        x: tf.tensor(values, [picked.length, ...inputShape]),
        y: tf.tensor1d(picked.map((index) => index % numClasses), 'int32'),
        index: tf.tensor1d(picked, 'int32'),
        size: picked.length,
        augmented: false,
      };
    }
  }

  return { name: options.name ?? `noise-${distribution}`, size, inputShape: [...inputShape], numClasses, batches };
}
