// ms per training step of the two workloads the bench's text and data-free suites run, on one backend
// per process (so kernels registered for one never leak into the other's figures):
//  - transformer: @distillery/models' transformerClassifier (vocabulary 3,000, 64 tokens, width 64,
//    4 heads, feed-forward 128, 2 layers, 3 classes), batch 32, one CE step with Adam;
//  - dafl: one DAFL iteration (@distillery/data-free: width-32 image generator -> LeNet-5 teacher on
//    32x32x1, generator step + KD step of a LeNet-5-half student), batch 64, as the data-free suite.
//
//   npm run build
//   node packages/backend-native/bench/transformer-step.mjs [--workload transformer|dafl]
//        [--backend native|wasm|cpu] [--steps 5] [--warmup 2] [--profile]
//
// Prints wall and process-CPU ms per step after the warm-up steps; --profile wraps every kernel of the
// backend with a timer and lists the kernels by wall ms per step (the timers add a little overhead).
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, gradientStep, selectBackend } from '@distillery/core';
import { dafl, imageGenerator } from '@distillery/data-free';
import { asTeacher, lenet5, transformerClassifier } from '@distillery/models';
import { installKernelTimers } from './kernel-timers.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const workload = option('workload', 'transformer');
const backend = option('backend', 'native');
const steps = Number(option('steps', '5'));
const warmup = Number(option('warmup', '2'));
const profile = process.argv.includes('--profile');

tf.enableProdMode();
const { tfBackend } = await selectBackend({ force: backend });

const timers = profile ? installKernelTimers(tfBackend) : undefined;

/** Returns { step(i): tf.Scalar (kept), dispose() } for the chosen workload. */
function transformerWorkload() {
  const VOCAB = 3000;
  const LENGTH = 64;
  const BATCH = 32;
  const model = transformerClassifier({ vocabSize: VOCAB, maxLength: LENGTH, width: 64, heads: 4, ffWidth: 128, layers: 2, numClasses: 3, seed: 1 });
  const optimizer = createOptimizer({ name: 'adam', learningRate: 1e-3 });
  // token ids in [4, VOCAB) after a [CLS] (id 2), with padding (id 0) at the end of every other row
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const ids = new Int32Array(BATCH * LENGTH).map((_, i) => {
    const [row, col] = [Math.floor(i / LENGTH), i % LENGTH];
    if (col === 0) return 2;
    if (row % 2 === 1 && col > 40) return 0;
    return 4 + Math.floor(next() * (VOCAB - 4));
  });
  const x = tf.tensor2d(ids, [BATCH, LENGTH], 'int32');
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 3), 'int32'), 3);
  return {
    step() {
      const terms = gradientStep(optimizer, model.trainableVariables(), () => {
        const { logits } = model.forward(x, { training: true });
        const total = tf.losses.softmaxCrossEntropy(labels, logits);
        return { total, terms: {} };
      });
      return terms.total;
    },
    dispose() {
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

function daflWorkload() {
  const BATCH = 64;
  const teacher = lenet5({ name: 'teacher', numClasses: 10, seed: 1 });
  const student = lenet5({ name: 'student', numClasses: 10, seed: 2, variant: 'half-dafl' });
  const scheme = dafl({
    teacher: asTeacher(teacher),
    student,
    generator: (seed) => imageGenerator({ outputShape: [32, 32, 1], latentDim: 100, width: 32, seed, scale: { mean: 0.1307, std: 0.3081 } }),
    optimizer: { name: 'adam', learningRate: 0.002 },
  });
  const batch = { x: tf.zeros([BATCH, 32, 32, 1]), y: tf.zeros([BATCH], 'int32'), size: BATCH };
  scheme.prepare({ numClasses: 10, inputShape: [32, 32, 1], datasetSize: BATCH * 10, epochs: 1, stepsPerEpoch: 10, totalSteps: 100, seed: 1 }, batch);
  return {
    step(i) {
      const terms = scheme.step(batch, { epoch: 0, step: i, fraction: 0 });
      const total = terms.total;
      for (const [name, value] of Object.entries(terms)) if (name !== 'total') value.dispose();
      return total;
    },
    dispose() {
      tf.dispose([batch.x, batch.y]);
      scheme.dispose();
      student.dispose();
      teacher.dispose();
    },
  };
}

const run = workload === 'dafl' ? daflWorkload() : transformerWorkload();
const go = async (count, offset) => {
  for (let i = 0; i < count; i++) {
    const total = run.step(offset + i);
    await total.data(); // a step is over when its loss can be read
    total.dispose();
  }
};
await go(warmup, 0); // warm-up: optimiser slots, allocator high-water marks
timers?.start();
const started = performance.now();
const startedCpu = process.cpuUsage();
await go(steps, warmup);
const stepMs = (performance.now() - started) / steps;
const used = process.cpuUsage(startedCpu);
const stepCpuMs = (used.user + used.system) / 1000 / steps;
timers?.stop();
console.log(`${backend} (tfjs backend '${tfBackend}') ${workload}: ${stepMs.toFixed(1)} ms/step wall, ${stepCpuMs.toFixed(1)} ms/step process CPU (${steps} steps)`);
timers?.report(steps, stepMs);
run.dispose();
