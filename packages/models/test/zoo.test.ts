import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lenet5, mlp, PLAIN_CNN_PLANS, plainCnn } from '../src/index.js';
import type { LayersTrainableModel, PlainCnnDepth } from '../src/index.js';

beforeAll(async () => {
  // conv gradients are not available on wasm here: zoo tests run on the reference cpu backend
  await tf.setBackend('cpu');
});

const dense = (inputs: number, units: number): number => inputs * units + units;
const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout;

/** Every state variable's values, for comparing two builds. */
const snapshot = (model: LayersTrainableModel): Record<string, number[]> =>
  Object.fromEntries(Object.entries(model.stateVariables()).map(([key, v]) => [key, Array.from(v.dataSync())]));

describe('mlp', () => {
  it('has the analytic parameter counts of the Hinton teacher and student', () => {
    const student = mlp({ inputSize: 784, hidden: [800, 800], numClasses: 10, seed: 1 });
    expect(student.countParams()).toBe(784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10);
    expect(student.countParams()).toBe(1_276_810);
    const teacher = mlp({ inputShape: [28, 28, 1], hidden: [1200, 1200], numClasses: 10, dropout: 0.5, inputDropout: 0.2, maxNorm: 15, seed: 1 });
    expect(teacher.countParams()).toBe(dense(784, 1200) + dense(1200, 1200) + dense(1200, 10));
    expect(teacher.countParams()).toBe(2_395_210);
    expect(teacher.inputShape).toEqual([28, 28, 1]);
    expect(teacher.featureShapes).toEqual({ hidden1: [1200], hidden2: [1200] });
    expect(teacher.hasConstraints).toBe(true);
    expect(student.hasConstraints).toBe(false);
    student.dispose();
    teacher.dispose();
  });

  it('builds identical weights from the same seed and different ones from another seed', () => {
    const a = snapshot(mlp({ inputSize: 20, hidden: [12, 12], numClasses: 3, seed: 7 }));
    const b = snapshot(mlp({ inputSize: 20, hidden: [12, 12], numClasses: 3, seed: 7 }));
    const c = snapshot(mlp({ inputSize: 20, hidden: [12, 12], numClasses: 3, seed: 8 }));
    expect(b).toEqual(a);
    for (const key of ['hidden1/kernel', 'hidden2/kernel', 'logits/kernel']) expect(c[key]).not.toEqual(a[key]);
    // the two equally-shaped hidden layers draw different streams from one model seed
    expect(a['hidden2/kernel']).not.toEqual(a['hidden1/kernel']?.slice(0, 144));
  });

  it('exposes post-ReLU taps and forward works in training and inference', () => {
    const model = mlp({ inputSize: 6, hidden: [5, 4], numClasses: 3, dropout: 0.5, seed: 3 });
    const out = model.forward(tf.randomNormal([7, 6], 0, 1, 'float32', 1), { training: false });
    expect(out.logits.shape).toEqual([7, 3]);
    expect(out.features['hidden1']?.shape).toEqual([7, 5]);
    expect(out.features['hidden2']?.shape).toEqual([7, 4]);
    expect(Math.min(...(out.features['hidden1']!.dataSync() as Float32Array))).toBeGreaterThanOrEqual(0);
    model.dispose();
  });

  it('trains under optimizer.minimize with dropout and max-norm, without leaking tensors', () => {
    const model = mlp({ inputSize: 6, hidden: [16], numClasses: 2, dropout: 0.2, maxNorm: 3, seed: 5 });
    const x = tf.randomNormal([32, 6], 0, 1, 'float32', 9);
    // a linearly separable target: class = sign of the first feature
    const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.slice(x, [0, 0], [32, 1]).reshape([32]), 0), 'int32'), 2));
    const optimizer = tf.train.adam(0.05);
    const step = (): number => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true }).logits) as tf.Scalar,
        true,
        model.trainableVariables(),
      )!;
      model.applyConstraints();
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    };
    const first = step();
    const tensorsAfterFirst = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 40; i += 1) last = step();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(last).toBeLessThan(first / 2);
    const norms = tf.norm(model.stateVariables()['hidden1/kernel']!, 'euclidean', 0).arraySync() as number[];
    expect(Math.max(...norms)).toBeLessThanOrEqual(3 + 1e-4);
    expect(model.stateVariables()['dropout1/calls']!.arraySync()).toBe(41);
    optimizer.dispose();
    model.dispose();
  });

  it('applyConstraints caps each hidden unit\'s incoming weight norm at maxNorm', () => {
    const model = mlp({ inputSize: 4, hidden: [3], numClasses: 2, maxNorm: 2, seed: 1 });
    const kernel = model.stateVariables()['hidden1/kernel']!;
    kernel.assign(tf.tensor2d([[3, 0.1, 1], [4, 0.1, 1], [0, 0.1, 1], [0, 0.1, 1]]));
    model.applyConstraints();
    const norms = tf.norm(kernel, 'euclidean', 0).arraySync() as number[];
    // column 0 had norm 5 -> scaled to 2; columns with norm 0.2 and 2 are left (almost) alone
    expect(norms[0]).toBeCloseTo(2, 4);
    expect(norms[1]).toBeCloseTo(0.2, 4);
    expect(norms[2]).toBeCloseTo(2, 3);
    expect((kernel.arraySync() as number[][])[0]![0]).toBeCloseTo(1.2, 4);
    // the logits layer is unconstrained
    const logits = model.stateVariables()['logits/kernel']!;
    logits.assign(tf.fill([3, 2], 10));
    model.applyConstraints();
    expect(logits.arraySync()).toEqual([[10, 10], [10, 10], [10, 10]]);
    model.dispose();
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => mlp({ hidden: [4], numClasses: 2, seed: 1 })).toThrow(ConfigError);
    expect(() => mlp({ inputSize: 4, hidden: [0], numClasses: 2, seed: 1 })).toThrow(ConfigError);
    expect(() => mlp({ inputSize: 4, hidden: [4], numClasses: 1, seed: 1 })).toThrow(ConfigError);
    expect(() => mlp({ inputSize: 4, hidden: [4], numClasses: 2, dropout: 1, seed: 1 })).toThrow(ConfigError);
    expect(() => mlp({ inputSize: 4, hidden: [4], numClasses: 2, seed: 0.5 })).toThrow(ConfigError);
    expect(() => mlp({ inputSize: 5, inputShape: [2, 2], hidden: [4], numClasses: 2, seed: 1 })).toThrow(ConfigError);
  });
});

describe('lenet5', () => {
  it('has the parameter counts of the reference code for every variant', () => {
    const expected = (c1: number, c2: number, f1: number, f2: number): number =>
      conv(5, 1, c1) + conv(5, c1, c2) + dense(5 * 5 * c2, f1) + dense(f1, f2) + dense(f2, 10);
    const counts = {
      full: lenet5({ numClasses: 10, seed: 1 }),
      'half-dafl': lenet5({ numClasses: 10, seed: 1, variant: 'half-dafl' }),
      'half-lopes': lenet5({ numClasses: 10, seed: 1, variant: 'half-lopes' }),
    };
    expect(counts.full.countParams()).toBe(expected(6, 16, 120, 84));
    expect(counts.full.countParams()).toBe(61_706);
    expect(counts['half-dafl'].countParams()).toBe(expected(3, 8, 60, 42));
    expect(counts['half-dafl'].countParams()).toBe(15_738); // paper-anchors: ~15.7K
    expect(counts['half-lopes'].countParams()).toBe(expected(3, 8, 120, 84));
    expect(counts['half-lopes'].countParams()).toBe(35_820); // paper-anchors: ~35.8K
    Object.values(counts).forEach((m) => m.dispose());
  });

  it('exposes conv and fc taps with the right shapes, and gradients for every variable', () => {
    const model = lenet5({ numClasses: 10, seed: 2, variant: 'half-dafl' });
    expect(model.inputShape).toEqual([32, 32, 1]);
    expect(model.featureShapes).toEqual({ conv1: [28, 28, 3], conv2: [10, 10, 8], fc1: [60], fc2: [42] });
    const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
    const variables = model.trainableVariables();
    const { grads } = tf.variableGrads(() => {
      const out = model.forward(x, { training: true });
      expect(out.features['conv2']?.shape).toEqual([2, 10, 10, 8]);
      return tf.losses.softmaxCrossEntropy(labels, out.logits) as tf.Scalar;
    }, variables);
    expect(variables).toHaveLength(10);
    for (const v of variables) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      expect(Number.isFinite(tf.sum(tf.abs(g)).arraySync())).toBe(true);
    }
    expect(tf.sum(tf.abs(grads[variables[0]!.name]!)).arraySync()).toBeGreaterThan(0);
    model.dispose();
  });

  it('is seeded like the others', () => {
    const a = snapshot(lenet5({ numClasses: 10, seed: 4 }));
    const b = snapshot(lenet5({ numClasses: 10, seed: 4 }));
    const c = snapshot(lenet5({ numClasses: 10, seed: 5 }));
    expect(b).toEqual(a);
    expect(c['conv1/kernel']).not.toEqual(a['conv1/kernel']);
  });
});

describe('plainCnn', () => {
  /** Trainable parameters computed straight from an official plan: conv3x3 + BN(gamma, beta) + FCs. */
  function expectedParams(plan: readonly string[], inputShape: readonly number[], numClasses: number): number {
    let [h, w, channels] = inputShape as [number, number, number];
    let flat = 0;
    let total = 0;
    const fcs = plan.filter((e) => e.startsWith('FC'));
    plan.forEach((entry) => {
      if (entry.startsWith('Conv')) {
        const filters = Number(entry.slice(4));
        total += conv(3, channels, filters) + 2 * filters;
        channels = filters;
      } else if (entry === 'MaxPool') {
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
      } else {
        const units = entry === fcs[fcs.length - 1] ? numClasses : Number(entry.slice(2));
        total += dense(flat === 0 ? h * w * channels : flat, units);
        flat = units;
      }
    });
    return total;
  }

  it('matches the official plans\' parameter counts at every depth', () => {
    const depths: PlainCnnDepth[] = [2, 4, 6, 8, 10];
    const counts = depths.map((depth) => {
      const model = plainCnn({ depth, inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
      const count = model.countParams();
      expect(count).toBe(expectedParams(PLAIN_CNN_PLANS.cifar10[depth], [32, 32, 3], 10));
      model.dispose();
      return count;
    });
    // the paper's student: Conv16-MP-Conv16-MP-FC10 = 448 + 32 + 2320 + 32 + 10250
    expect(counts[0]).toBe(13_082);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const wide = plainCnn({ depth: 2, inputShape: [32, 32, 3], numClasses: 100, seed: 1, plan: 'cifar100' });
    expect(wide.countParams()).toBe(conv(3, 3, 32) + 64 + conv(3, 32, 32) + 64 + dense(8 * 8 * 32, 100));
    wide.dispose();
  });

  it('has a tap per conv block and per hidden FC, and batch-norm state outside the trainables', () => {
    const model = plainCnn({ depth: 8, inputShape: [16, 16, 3], numClasses: 5, seed: 3 });
    // depth counts the conv layers: 8 convs in four pooled stages, then FC64 and the logits
    expect(model.featureNames).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7', 'conv8', 'fc1']);
    expect(model.featureShapes).toEqual({
      conv1: [16, 16, 16], conv2: [16, 16, 16], conv3: [8, 8, 32], conv4: [8, 8, 32],
      conv5: [4, 4, 64], conv6: [4, 4, 64], conv7: [2, 2, 128], conv8: [2, 2, 128], fc1: [64],
    });
    const state = Object.keys(model.stateVariables());
    expect(state).toContain('bn8/moving_variance');
    expect(state.length - model.trainableVariables().length).toBe(2 * 8);
    model.dispose();
  });

  it('trains end to end on a tiny input: gradients for every variable, BN statistics move', () => {
    const model = plainCnn({ depth: 2, inputShape: [8, 8, 3], numClasses: 4, seed: 6 });
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 2);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 3], 'int32'), 4);
    const variables = model.trainableVariables();
    const { grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true }).logits) as tf.Scalar,
      variables,
    );
    expect(Object.keys(grads).sort()).toEqual(variables.map((v) => v.name).sort());
    for (const v of variables) expect(tf.sum(tf.abs(grads[v.name]!)).arraySync()).toBeGreaterThan(0);
    const mean = model.stateVariables()['bn1/moving_mean']!.arraySync() as number[];
    expect(mean.some((m) => m !== 0)).toBe(true);
    model.dispose();
  });

  it('is seeded, and rejects unknown depths and non-image inputs', () => {
    const a = snapshot(plainCnn({ depth: 4, inputShape: [8, 8, 1], numClasses: 3, seed: 9 }));
    const b = snapshot(plainCnn({ depth: 4, inputShape: [8, 8, 1], numClasses: 3, seed: 9 }));
    const c = snapshot(plainCnn({ depth: 4, inputShape: [8, 8, 1], numClasses: 3, seed: 10 }));
    expect(b).toEqual(a);
    expect(c['conv3/kernel']).not.toEqual(a['conv3/kernel']);
    expect(() => plainCnn({ depth: 3 as PlainCnnDepth, inputShape: [8, 8, 1], numClasses: 3, seed: 1 })).toThrow(ConfigError);
    expect(() => plainCnn({ depth: 2, inputShape: [64], numClasses: 3, seed: 1 })).toThrow(ConfigError);
  });
});
