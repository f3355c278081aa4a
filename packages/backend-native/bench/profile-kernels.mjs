// Where one training step's time goes, per tfjs kernel: wraps every kernel of the active backend
// with a timer and runs the same offline-KD step `distillery-bench perf` measures (teacher forward,
// student forward/backward, CE + KL at T=4, Adam, batch 128, synthetic data).
//
//   npm run build
//   node packages/backend-native/bench/profile-kernels.mjs [--backend native|wasm|cpu] [--pair mlp|cnn]
//        [--kind kd|kd-cached|student] [--steps 20] [--threads n] [--cpu-time]
//
// Prints the step's wall and process CPU time, then ms per step for each kernel (sorted); the
// difference is time outside kernels (tape bookkeeping, tidy, garbage collection). --threads sets
// the native addon's thread count; --cpu-time times kernels in process CPU time instead of wall
// time, which other processes on a shared machine barely disturb (use it with --threads 1, where
// all work runs on the calling thread). The timers add a little overhead per kernel.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { setNativeThreads } from '@distillery/backend-native';
import { selectBackend } from '@distillery/core';
import { InMemoryDataset, createRng } from '@distillery/data';
import { kdLoss } from '@distillery/losses';
import { asTeacher, lenet5, mlp } from '@distillery/models';
import { offlineDistillation } from '@distillery/offline';
import { installKernelTimers, runSchemeSteps } from './kernel-timers.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const backend = option('backend', 'native');
const pair = option('pair', 'mlp');
const kind = option('kind', 'kd');
const steps = Number(option('steps', '20'));
const threads = option('threads', undefined);
const cpuTime = process.argv.includes('--cpu-time');
const BATCH = 128;

tf.enableProdMode();
const { tfBackend } = await selectBackend({ force: backend });
if (threads) setNativeThreads(Number(threads));
const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const timers = installKernelTimers(tfBackend, { cpuTime });

const models =
  pair === 'mlp'
    ? { inputShape: [784], teacher: () => mlp({ name: 'teacher', inputShape: [784], hidden: [1200, 1200], numClasses: 10, seed: 1 }), student: () => mlp({ name: 'student', inputShape: [784], hidden: [800, 800], numClasses: 10, seed: 2 }) }
    : { inputShape: [32, 32, 1], teacher: () => lenet5({ name: 'teacher', numClasses: 10, seed: 1 }), student: () => lenet5({ name: 'student', numClasses: 10, seed: 2, variant: 'half-lopes' }) };

const rng = createRng(7);
const row = models.inputShape.reduce((a, b) => a * b, 1);
const inputs = new Float32Array(4 * BATCH * row).map(() => rng.nextFloat());
const labels = Int32Array.from({ length: 4 * BATCH }, () => rng.nextInt(10));
const data = new InMemoryDataset({ name: 'profile', inputs, labels, inputShape: models.inputShape, numClasses: 10 });
const student = models.student();
const teacher = kind === 'student' ? undefined : models.teacher();
const scheme = offlineDistillation({
  student,
  ...(teacher ? { teacher: asTeacher(teacher), losses: [{ loss: kdLoss({ temperature: 4 }), weight: 1 }], alpha: 0.9 } : {}),
  cacheTeacherOutputs: kind === 'kd-cached',
  optimizer: { name: 'adam', learningRate: 1e-3 },
});
const batches = [...data.batches({ batchSize: BATCH, shuffle: false, seed: 1, epoch: 0 })];
await scheme.prepare({ numClasses: 10, inputShape: models.inputShape, datasetSize: data.size, epochs: 1, stepsPerEpoch: 4, totalSteps: steps + 3, seed: 1, train: data }, batches[0]);

await runSchemeSteps(scheme, batches, 3); // warm-up: optimiser slots, allocator high-water marks
timers.start();
const started = performance.now();
const startedCpu = process.cpuUsage();
await runSchemeSteps(scheme, batches, steps);
const stepMs = (performance.now() - started) / steps;
const stepCpuMs = cpuMs(startedCpu) / steps;
timers.stop();
console.log(`${backend} ${pair}/${kind}: ${stepMs.toFixed(1)} ms/step wall (${((BATCH * 1000) / stepMs).toFixed(0)} samples/s), ${stepCpuMs.toFixed(1)} ms/step process CPU`);
timers.report(steps, cpuTime ? stepCpuMs : stepMs);
scheme.dispose();
student.dispose();
teacher?.dispose();
