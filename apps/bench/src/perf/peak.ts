import * as tf from '@tensorflow/tfjs';

export interface MatmulPeak {
  /** the Distillery backend it was measured on */
  readonly backend: string;
  readonly size: number;
  readonly gflops: number;
}

/**
 * GFLOP/s of a square float32 matmul on the active backend: the machine's sgemm peak as seen through
 * that backend (OpenBLAS on `native`), the yardstick for the steps' achieved GFLOP/s. One warm-up
 * product, then `repeats` timed ones, each read back so queued work is inside the measurement.
 */
export async function measureMatmulPeak(backend: string, size = 2048, repeats = 4): Promise<MatmulPeak> {
  const [a, b] = tf.tidy(() => [tf.randomUniform([size, size], -1, 1, 'float32', 1), tf.randomUniform([size, size], -1, 1, 'float32', 2)]);
  try {
    const warm = tf.matMul(a!, b!);
    await warm.data();
    warm.dispose();
    const started = performance.now();
    for (let i = 0; i < repeats; i++) {
      const product = tf.matMul(a!, b!);
      await product.data();
      product.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    return { backend, size, gflops: (2 * size ** 3 * repeats) / seconds / 1e9 };
  } finally {
    tf.dispose([a!, b!]);
  }
}
