// Measures what the native kernels buy on this machine: 1024x1024 matmul GFLOP/s and samples/s of
// the reference KD step (teacher 784-1200-1200-10 forward, student 784-800-800-10 forward/backward,
// CE + KL at T=4, Adam, batch 128) on tfjs 'cpu', 'wasm' and 'native' (cpu + OpenBLAS kernels),
// plus a small CNN training step (conv32-pool-conv64-pool-dense128-dense10, 28x28x1, batch 64, Adam).
//
//   npm run build -w @distillery/backend-native   # the bench imports ../dist
//   node packages/backend-native/bench/matmul-and-step.mjs [--backends native,wasm,cpu] [--steps 20] [--threads 2]
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// DISTILLERY_NATIVE_DIST points at another build of this package (e.g. a one-off bundle).
const distEntry = process.env.DISTILLERY_NATIVE_DIST ?? new URL('../dist/index.js', import.meta.url).pathname;
if (!existsSync(distEntry)) {
  console.error('Build the package first: npm run build (needs @distillery/core built too)');
  process.exit(1);
}
const native = await import(distEntry);

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const backends = option('backends', 'native,wasm,cpu').split(',');
const steps = Number(option('steps', '20'));
const threads = option('threads', undefined);
const BATCH = 128;
const TEMPERATURE = 4;

tf.enableProdMode(); // silences the cpu backend's banner (IS_TEST would also turn on tfjs's leak checks)
if (!native.registerNativeBackend()) console.log(`native unavailable: ${native.nativeStatus().reason}`);
if (threads) native.setNativeThreads(Number(threads));

function mlp(sizes) {
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(
      tf.layers.dense({
        units: sizes[i],
        activation: i === sizes.length - 1 ? 'linear' : 'relu',
        ...(i === 1 ? { inputShape: [sizes[0]] } : {}),
      }),
    );
  }
  return model;
}

function kdLoss(student, teacher, labels) {
  const ce = tf.losses.softmaxCrossEntropy(labels, student);
  const pTeacher = tf.softmax(teacher.div(TEMPERATURE));
  const kl = pTeacher.mul(tf.logSoftmax(teacher.div(TEMPERATURE)).sub(tf.logSoftmax(student.div(TEMPERATURE)))).sum(-1).mean();
  return ce.mul(0.5).add(kl.mul(0.5 * TEMPERATURE * TEMPERATURE));
}

async function matmulGflops(size, repeats) {
  const a = tf.randomUniform([size, size]);
  const b = tf.randomUniform([size, size]);
  tf.tidy(() => tf.matMul(a, b)).dispose(); // warm-up
  const start = performance.now();
  for (let i = 0; i < repeats; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([a, b]);
  return (2 * size ** 3 * repeats) / seconds / 1e9;
}

async function kdSamplesPerSecond(stepCount) {
  const teacher = mlp([784, 1200, 1200, 10]);
  const student = mlp([784, 800, 800, 10]);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 784]);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32'), 10);
  const step = async () => {
    const loss = tf.tidy(() => {
      const teacherLogits = teacher.predict(x);
      return optimizer.minimize(() => kdLoss(student.apply(x), teacherLogits, labels), true);
    });
    await loss.data();
    loss.dispose();
  };
  await step(); // warm-up: optimizer slots, wasm heap growth
  await step();
  const before = tf.memory().numTensors;
  const start = performance.now();
  for (let i = 0; i < stepCount; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, labels]);
  optimizer.dispose();
  teacher.dispose();
  student.dispose();
  return { samplesPerSecond: (BATCH * stepCount) / seconds, msPerStep: (1000 * seconds) / stepCount, leaked };
}

function cnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}

async function cnnSamplesPerSecond(stepCount) {
  const batch = 64;
  const model = cnn();
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const step = async () => {
    const loss = tf.tidy(() => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x)), true));
    await loss.data();
    loss.dispose();
  };
  try {
    await step();
    const start = performance.now();
    for (let i = 0; i < stepCount; i++) await step();
    return `${((batch * stepCount) / ((performance.now() - start) / 1000)).toFixed(0).padStart(5)} samples/s`;
  } catch (error) {
    return `fails (${error.message.split('\n')[0].slice(0, 80)})`;
  } finally {
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  }
}

console.log(`node ${process.version}, tfjs ${tf.version.tfjs}, OpenBLAS threads ${native.getNativeThreads()}`);
for (const backend of backends) {
  if (!(await tf.setBackend(backend))) {
    console.log(`${backend}: unavailable`);
    continue;
  }
  // The pure-JS cpu backend needs seconds per step: measure it on fewer repetitions.
  const slow = backend === 'cpu';
  const gflops = await matmulGflops(1024, slow ? 1 : 10);
  const kd = await kdSamplesPerSecond(slow ? Math.min(steps, 2) : steps);
  const conv = await cnnSamplesPerSecond(slow ? 1 : Math.max(3, Math.floor(steps / 2)));
  console.log(
    `${backend.padEnd(7)} matmul 1024^2 ${gflops.toFixed(1).padStart(6)} GFLOP/s | KD step ${kd.samplesPerSecond.toFixed(0).padStart(5)} samples/s (${kd.msPerStep.toFixed(1)} ms/step, tensors leaked ${kd.leaked}) | CNN step ${conv}`,
  );
}
