import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels, registerNativeBackend } from '../src/index.js';
import { randomTensor } from './helpers.js';

const available = loadNativeKernels();

interface Run {
  losses: number[];
  /** tf.memory().numTensors after each step: constant when nothing leaks. */
  tensorCounts: number[];
}

function dense(units: number, seed: number, activation: 'relu' | 'linear', inputShape?: number[]): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    ...(inputShape ? { inputShape } : {}),
  });
}

function mlp(sizes: number[], seed: number): tf.Sequential {
  const model = tf.sequential();
  sizes.slice(1).forEach((units, i) => {
    const last = i === sizes.length - 2;
    model.add(dense(units, seed + i, last ? 'linear' : 'relu', i === 0 ? [sizes[0] ?? 1] : undefined));
  });
  return model;
}

function convNet(seed: number): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(
    tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
  );
  model.add(tf.layers.flatten());
  model.add(dense(4, seed + 2, 'linear'));
  return model;
}

function labelsFrom(logits: tf.Tensor, classes: number): tf.Tensor {
  return tf.oneHot(logits.argMax(-1) as tf.Tensor1D, classes);
}

/** Response-based KD loss: hard-label CE plus T^2-scaled KL between softened teacher and student. */
function kdLoss(student: tf.Tensor, teacher: tf.Tensor, labels: tf.Tensor, temperature: number): tf.Scalar {
  const ce = tf.losses.softmaxCrossEntropy(labels, student);
  const pTeacher = tf.softmax(teacher.div(temperature));
  const logStudent = tf.logSoftmax(student.div(temperature));
  const logTeacher = tf.logSoftmax(teacher.div(temperature));
  const kl = pTeacher.mul(logTeacher.sub(logStudent)).sum(-1).mean();
  return ce.mul(0.5).add(kl.mul(0.5 * temperature * temperature)) as tf.Scalar;
}

async function trainKdMlp(backend: string, steps: number): Promise<Run> {
  await tf.setBackend(backend);
  const teacher = mlp([20, 48, 48, 5], 100);
  const student = mlp([20, 24, 5], 200);
  const x = randomTensor([64, 20], 1);
  const labels = tf.tidy(() => labelsFrom(tf.matMul(x, randomTensor([20, 5], 2)), 5));
  const optimizer = tf.train.adam(0.01);
  const run: Run = { losses: [], tensorCounts: [] };
  for (let step = 0; step < steps; step++) {
    const loss = tf.tidy(() => {
      // Teacher forward outside the tape: runs the fused matmul + bias + relu kernel.
      const teacherLogits = teacher.predict(x) as tf.Tensor;
      return optimizer.minimize(() => kdLoss(student.apply(x) as tf.Tensor, teacherLogits, labels, 4), true) as tf.Scalar;
    });
    run.losses.push(loss.dataSync()[0] ?? Number.NaN);
    loss.dispose();
    run.tensorCounts.push(tf.memory().numTensors);
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  teacher.dispose();
  student.dispose();
  return run;
}

async function trainConvNet(backend: string, steps: number): Promise<Run> {
  await tf.setBackend(backend);
  const model = convNet(300);
  const x = randomTensor([16, 12, 12, 1], 3);
  const labels = tf.tidy(() => labelsFrom(tf.matMul(x.reshape([16, 144]), randomTensor([144, 4], 4)), 4));
  const optimizer = tf.train.adam(0.01);
  const run: Run = { losses: [], tensorCounts: [] };
  for (let step = 0; step < steps; step++) {
    const loss = tf.tidy(
      () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar, true) as tf.Scalar,
    );
    run.losses.push(loss.dataSync()[0] ?? Number.NaN);
    loss.dispose();
    run.tensorCounts.push(tf.memory().numTensors);
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return run;
}

function expectSameTrajectory(native: Run, cpu: Run): void {
  native.losses.forEach((loss, i) => {
    const reference = cpu.losses[i] ?? Number.NaN;
    expect(Math.abs(loss - reference) / Math.abs(reference)).toBeLessThan(1e-3);
  });
}

describe.skipIf(!available)('training on the native backend', () => {
  beforeAll(() => {
    expect(registerNativeBackend()).toBe(true);
  });

  it('an MLP KD step (teacher forward + student CE + KL, Adam) lowers the loss like stock cpu, without leaks', async () => {
    const steps = 15;
    const native = await trainKdMlp('native', steps);
    const cpu = await trainKdMlp('cpu', steps);
    expect(native.losses.every(Number.isFinite)).toBe(true);
    expect(native.losses[steps - 1]).toBeLessThan((native.losses[0] ?? 0) * 0.8);
    expectSameTrajectory(native, cpu);
    expect(new Set(native.tensorCounts.slice(1)).size).toBe(1);
  });

  it('a small conv net trains like stock cpu, without leaks', async () => {
    const steps = 10;
    const native = await trainConvNet('native', steps);
    const cpu = await trainConvNet('cpu', steps);
    expect(native.losses.every(Number.isFinite)).toBe(true);
    expect(native.losses[steps - 1]).toBeLessThan((native.losses[0] ?? 0) * 0.9);
    expectSameTrajectory(native, cpu);
    expect(new Set(native.tensorCounts.slice(1)).size).toBe(1);
  });
});
