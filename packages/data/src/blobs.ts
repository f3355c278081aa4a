import { ConfigError } from '@distillery/core';
import { InMemoryDataset } from './in-memory-dataset.js';
import { createRng, mixSeed } from './random.js';
import { checkPositiveInteger, checkShape, shapeSize } from './shape.js';

export interface GaussianBlobsOptions {
  readonly numClasses: number;
  readonly perClass: number;
  /** vector length of each sample; give this or inputShape */
  readonly dims?: number;
  /** shape of each sample (e.g. [8, 8, 1]); give this or dims */
  readonly inputShape?: readonly number[];
  /** seeds the class centres (and the samples unless sampleSeed is given) */
  readonly seed: number;
  /** distance of every class centre from the origin; centres are random directions, default 4 */
  readonly separation?: number;
  /** standard deviation of the isotropic noise around each centre, default 1 */
  readonly noise?: number;
  /** seeds the samples only: the same seed with two sampleSeeds gives a train and a test set of one problem */
  readonly sampleSeed?: number;
  readonly name?: string;
}

const CENTRE_STREAM = 0x4345_4e54;
const SAMPLE_STREAM = 0x5341_4d50;

function resolveShape(options: GaussianBlobsOptions): readonly number[] {
  const { dims, inputShape } = options;
  if (inputShape === undefined && dims === undefined) {
    throw new ConfigError('gaussianBlobs needs dims or inputShape', 'pass e.g. { dims: 16 }');
  }
  const shape = inputShape ?? [dims as number];
  checkShape('gaussianBlobs inputShape', shape);
  if (dims !== undefined && shapeSize(shape) !== dims) {
    throw new ConfigError(`gaussianBlobs dims ${dims} disagrees with inputShape [${shape.join(', ')}]`, 'give only one of dims and inputShape');
  }
  return shape;
}

/**
 * A learnable synthetic classification problem: class c's samples are centre_c + noise * N(0, I), with
 * centres at distance `separation` from the origin in seeded random directions. Samples are interleaved
 * by class (0, 1, ..., k-1, 0, 1, ...) so any prefix is balanced.
 */
export function gaussianBlobs(options: GaussianBlobsOptions): InMemoryDataset {
  const { numClasses, perClass, seed } = options;
  const separation = options.separation ?? 4;
  const noise = options.noise ?? 1;
  checkPositiveInteger('numClasses', numClasses);
  checkPositiveInteger('perClass', perClass);
  if (!(separation >= 0 && Number.isFinite(separation)) || !(noise >= 0 && Number.isFinite(noise))) {
    throw new ConfigError(`separation ${separation} and noise ${noise} must be finite numbers >= 0`, 'use e.g. separation 4, noise 1');
  }
  const shape = resolveShape(options);
  const dims = shapeSize(shape);
  const centres = blobCentres(numClasses, dims, separation, seed);
  const rng = createRng(mixSeed(options.sampleSeed ?? seed, SAMPLE_STREAM));
  const size = numClasses * perClass;
  const inputs = new Float32Array(size * dims);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % numClasses;
    labels[i] = label;
    for (let d = 0; d < dims; d++) inputs[i * dims + d] = (centres[label * dims + d] as number) + noise * rng.nextNormal();
  }
  return new InMemoryDataset({ name: options.name ?? 'gaussian-blobs', inputs, labels, inputShape: shape, numClasses });
}

/** The class centres gaussianBlobs uses for these settings: numClasses x dims, row-major. */
export function blobCentres(numClasses: number, dims: number, separation: number, seed: number): Float64Array {
  const rng = createRng(mixSeed(seed, CENTRE_STREAM));
  const centres = new Float64Array(numClasses * dims);
  for (let c = 0; c < numClasses; c++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const value = rng.nextNormal();
      centres[c * dims + d] = value;
      norm += value * value;
    }
    // A Gaussian direction normalised is uniform on the sphere; scale it to the requested distance.
    const scale = norm > 0 ? separation / Math.sqrt(norm) : 0;
    for (let d = 0; d < dims; d++) centres[c * dims + d] = (centres[c * dims + d] as number) * scale;
  }
  return centres;
}
