import * as tf from '@tensorflow/tfjs';
import {
  createOptimizer,
  gradientStep,
  prefixed,
  type Batch,
  type BatchOptions,
  type Classifier,
  type Dataset,
  type LossTerms,
  type ModelOutputs,
  type Scheme,
  type SchemeContext,
  type Trackables,
  type TrainableModel,
} from '../src/index.js';

/** Gaussian blobs: a small, learnable, deterministic classification problem. */
export function blobDataset(size: number, numClasses = 3, dims = 4, seed = 1): Dataset {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(size * dims);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    y[i] = i % numClasses;
    for (let d = 0; d < dims; d++) x[i * dims + d] = (d === y[i]! % dims ? 2 : 0) + (random() - 0.5);
  }
  return {
    name: 'blobs',
    size,
    inputShape: [dims],
    numClasses,
    *batches(options: BatchOptions): Iterable<Batch> {
      const order = Array.from({ length: size }, (_, i) => i);
      if (options.shuffle) {
        let s = (options.seed * 7919 + options.epoch * 104729) >>> 0;
        for (let i = size - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      for (let start = 0; start < size; start += options.batchSize) {
        const rows = order.slice(start, start + options.batchSize);
        if (options.dropRemainder && rows.length < options.batchSize) return;
        const bx = new Float32Array(rows.length * dims);
        rows.forEach((row, r) => bx.set(x.subarray(row * dims, (row + 1) * dims), r * dims));
        yield {
          x: tf.tensor2d(bx, [rows.length, dims]),
          y: tf.tensor1d(rows.map((row) => y[row]!), 'int32'),
          index: tf.tensor1d(rows, 'int32'),
          size: rows.length,
          augmented: false,
        };
      }
    },
  };
}

/** A linear softmax model over tf.variables, seeded. */
export function linearModel(dims: number, numClasses: number, seed: number): TrainableModel {
  const kernel = tf.variable(tf.randomNormal([dims, numClasses], 0, 0.1, 'float32', seed), true, `linear-${seed}-${Math.random()}/kernel`);
  const bias = tf.variable(tf.zeros([numClasses]), true, `linear-${seed}-${Math.random()}/bias`);
  const forward = (x: tf.Tensor): ModelOutputs => ({ logits: tf.matMul(x as tf.Tensor2D, kernel).add(bias) as tf.Tensor2D, features: {} });
  return {
    name: 'linear',
    numClasses,
    inputShape: [dims],
    featureNames: [],
    forward,
    predictLogits: (x) => forward(x).logits,
    trainableVariables: () => [kernel, bias],
    stateVariables: () => ({ kernel, bias }),
    countParams: () => dims * numClasses + numClasses,
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
}

/** A plain supervised scheme (softmax CE) used to exercise the trainer; `poisonAtStep` injects NaN. */
export function supervisedScheme(model: TrainableModel, options: { poisonAtStep?: number; learningRate?: number } = {}): Scheme {
  let optimizer: tf.Optimizer | undefined;
  return {
    name: 'supervised-test',
    prepare(_context: SchemeContext) {
      optimizer = createOptimizer({ name: 'adam', learningRate: options.learningRate ?? 0.05 });
    },
    step(batch, progress): LossTerms {
      return gradientStep(optimizer!, model.trainableVariables(), () => {
        const logits = model.forward(batch.x, { training: true }).logits;
        let ce = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, model.numClasses), logits) as tf.Scalar;
        if (options.poisonAtStep !== undefined && progress.step >= options.poisonAtStep) ce = ce.mul(NaN) as tf.Scalar;
        return { total: ce, terms: { ce } };
      });
    },
    evaluationModels: (): Record<string, Classifier> => ({ model }),
    trackables: (): Trackables => ({ variables: prefixed('model', model.stateVariables()), optimizers: optimizer ? { model: optimizer } : {} }),
    dispose: () => optimizer?.dispose(),
  };
}

export async function weightsOf(model: TrainableModel): Promise<number[][]> {
  return Promise.all(model.trainableVariables().map(async (v) => Array.from(await v.data())));
}
