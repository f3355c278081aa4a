import * as tf from '@tensorflow/tfjs';
import { createRng, mixSeed } from '@distillery/data';
import type { RegressorActivation } from './options.js';

/** A small trainable map from a student feature to a teacher feature's shape (a FitNets-style regressor). */
export interface FeatureRegressor {
  /** student features [batch, ...studentShape] -> [batch, ...teacherShape] */
  apply(features: tf.Tensor): tf.Tensor;
  /** owned variables by local name ("kernel", "bias") */
  variables(): Record<string, tf.Variable>;
  dispose(): void;
}

export interface RegressorOptions {
  readonly seed: number;
  readonly activation: RegressorActivation;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** He-normal from the seeded JS generator, so every backend starts from identical weights. */
function heNormal(fanIn: number, fanOut: number, seed: number): tf.Variable {
  const rng = createRng(seed);
  const values = new Float32Array(fanIn * fanOut);
  const scale = Math.sqrt(2 / fanIn);
  for (let i = 0; i < values.length; i++) values[i] = rng.nextNormal() * scale;
  return tf.tidy(() => tf.variable(tf.tensor2d(values, [fanIn, fanOut])));
}

/** Resizes [batch, h, w, c] maps to the teacher's height and width: average pooling for integer ratios, else bilinear. */
function alignSpatial(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h === height && w === width) return x;
  if (h >= height && w >= width && h % height === 0 && w % width === 0) {
    const window: [number, number] = [h / height, w / width];
    return tf.avgPool(x, window, window, 'valid');
  }
  return tf.image.resizeBilinear(x, [height, width]);
}

/**
 * Image features to image features: spatial alignment, then a 1x1 convolution (written as a matmul over
 * channels, which every backend can differentiate) and the activation, as in CA-MKD's embed
 * (conv1x1 - BN - ReLU; batch-norm is left out so the regressor carries no moving statistics).
 * Any other pair of shapes: flatten, dense, reshape.
 */
export function createRegressor(studentShape: readonly number[], teacherShape: readonly number[], options: RegressorOptions): FeatureRegressor {
  const spatial = studentShape.length === 3 && teacherShape.length === 3;
  const fanIn = spatial ? (studentShape[2] as number) : product(studentShape);
  const fanOut = spatial ? (teacherShape[2] as number) : product(teacherShape);
  const kernel = heNormal(fanIn, fanOut, mixSeed(options.seed, fanIn, fanOut));
  const bias = tf.tidy(() => tf.variable(tf.zeros([fanOut])));
  const activate = (x: tf.Tensor): tf.Tensor => (options.activation === 'relu' ? tf.relu(x) : x);

  const apply = (features: tf.Tensor): tf.Tensor => {
    const batch = features.shape[0] as number;
    if (spatial) {
      const [height, width, channels] = teacherShape as [number, number, number];
      const aligned = alignSpatial(features as tf.Tensor4D, height, width);
      const rows = tf.reshape(aligned, [batch * height * width, fanIn]);
      const mapped = tf.add(tf.matMul(rows as tf.Tensor2D, kernel as tf.Tensor2D), bias);
      return activate(tf.reshape(mapped, [batch, height, width, channels]));
    }
    const flat = tf.reshape(features, [batch, fanIn]) as tf.Tensor2D;
    const mapped = tf.add(tf.matMul(flat, kernel as tf.Tensor2D), bias);
    return activate(tf.reshape(mapped, [batch, ...teacherShape]));
  };

  return {
    apply,
    variables: () => ({ kernel, bias }),
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
}
