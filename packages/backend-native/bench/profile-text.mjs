// Where one training step of a text model goes, per tfjs kernel (see profile-kernels.mjs for the
// image pairs). Trains the `text` benchmark suite's models on synthetic token ids, batch 32,
// 64 tokens, vocabulary 2,000: --model cnn (Kim CNN, embedding 32, 32 filters of widths 3/4/5),
// student (Transformer 32x1) or teacher (Transformer 64x2); --kind student (cross-entropy alone)
// or kd (teacher Transformer 64x2 forward + --loss kd: KL at T=4, minilm: MiniLM attention + value
// relations + KD, or tinybert: TinyBERT hidden + attention).
//
//   npm run build
//   node packages/backend-native/bench/profile-text.mjs [--backend native|wasm|cpu] [--model cnn]
//        [--kind student|kd] [--loss kd|minilm|tinybert] [--steps 20] [--by-shape]
//
// --by-shape splits each kernel's time by input dtypes and shapes.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@distillery/core';
import { InMemoryDataset, createRng } from '@distillery/data';
import { kdLoss, miniLmAttentionLoss, miniLmValueLoss, tinyBertAttentionLoss, tinyBertHiddenLoss } from '@distillery/losses';
import { asTeacher, textCnn, transformerClassifier } from '@distillery/models';
import { offlineDistillation } from '@distillery/offline';
import { installKernelTimers, runSchemeSteps } from './kernel-timers.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const backend = option('backend', 'native');
const modelName = option('model', 'cnn');
const kind = option('kind', 'student');
const lossName = option('loss', 'kd');
const steps = Number(option('steps', '20'));
const byShape = process.argv.includes('--by-shape');
const BATCH = 32;
const LENGTH = 64;
const VOCAB = 2000;

tf.enableProdMode();
const { tfBackend } = await selectBackend({ force: backend });

const timers = installKernelTimers(tfBackend, { byShape });

const base = { vocabSize: VOCAB, maxLength: LENGTH, numClasses: 3 };
const build = {
  cnn: (seed) => textCnn({ ...base, name: 'cnn', seed, embeddingSize: 32, filters: 32 }),
  student: (seed) => transformerClassifier({ ...base, name: 'student', seed, width: 32, heads: 4, ffWidth: 64, layers: 1 }),
  teacher: (seed) => transformerClassifier({ ...base, name: 'teacher', seed, width: 64, heads: 4, ffWidth: 128, layers: 2 }),
};
const LOSSES = {
  kd: () => [{ loss: kdLoss({ temperature: 4 }), weight: 1 }],
  minilm: () => [miniLmAttentionLoss(), miniLmValueLoss(), kdLoss({ temperature: 4 })].map((loss) => ({ loss, weight: 1 })),
  tinybert: () => [tinyBertHiddenLoss(), tinyBertAttentionLoss()].map((loss) => ({ loss, weight: 1 })),
};
const rng = createRng(7);
// Real messages are mostly shorter than 64 tokens: lengths uniform in [8, 64], pads (id 0) after.
const inputs = new Float32Array(4 * BATCH * LENGTH);
for (let row = 0; row < 4 * BATCH; row++) {
  const length = 8 + rng.nextInt(LENGTH - 7);
  for (let t = 0; t < length; t++) inputs[row * LENGTH + t] = 4 + rng.nextInt(VOCAB - 4);
}
const labels = Int32Array.from({ length: 4 * BATCH }, () => rng.nextInt(3));
const data = new InMemoryDataset({ name: 'profile', inputs, labels, inputShape: [LENGTH], numClasses: 3 });
const student = build[modelName](2);
const teacher = kind === 'kd' ? build.teacher(1) : undefined;
const scheme = offlineDistillation({
  student,
  ...(teacher ? { teacher: asTeacher(teacher), losses: LOSSES[lossName](), alpha: 1 } : {}),
  optimizer: { name: 'adam', learningRate: 1e-3 },
});
const batches = [...data.batches({ batchSize: BATCH, shuffle: false, seed: 1, epoch: 0 })];
await scheme.prepare({ numClasses: 3, inputShape: [LENGTH], datasetSize: data.size, epochs: 1, stepsPerEpoch: 4, totalSteps: steps + 3, seed: 1, train: data }, batches[0]);

await runSchemeSteps(scheme, batches, 3); // warm-up: optimiser slots, allocator high-water marks
timers.start();
const started = performance.now();
await runSchemeSteps(scheme, batches, steps);
const stepMs = (performance.now() - started) / steps;
timers.stop();
console.log(`${backend} ${modelName}/${kind === 'kd' ? lossName : kind}: ${stepMs.toFixed(1)} ms/step wall (${((BATCH * 1000) / stepMs).toFixed(0)} samples/s)`);
timers.report(steps, stepMs);
scheme.dispose();
student.dispose();
teacher?.dispose();
