import * as tf from '@tensorflow/tfjs';
import type { Batch, Scheme } from '@distillery/core';
import { InMemoryDataset, createRng } from '@distillery/data';
import { asTeacher } from '@distillery/models';
import { kdLoss } from '@distillery/losses';
import { offlineDistillation } from '@distillery/offline';
import type { PerfPair, StepKind } from './perf-cases.js';

export interface StepMeasurement {
  readonly samplesPerSecond: number;
  readonly msPerStep: number;
}

function syntheticData(pair: PerfPair, samples: number, seed: number): InMemoryDataset {
  const rng = createRng(seed);
  const row = pair.inputShape.reduce((a, b) => a * b, 1);
  const inputs = new Float32Array(samples * row);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.nextFloat();
  const labels = Int32Array.from({ length: samples }, () => rng.nextInt(10));
  return new InMemoryDataset({ name: 'perf', inputs, labels, inputShape: pair.inputShape, numClasses: 10 });
}

function buildScheme(pair: PerfPair, kind: StepKind): { scheme: Scheme; dispose: () => void } {
  const student = pair.student();
  const teacherModel = kind === 'student' ? undefined : pair.teacher();
  const scheme = offlineDistillation({
    student,
    ...(teacherModel ? { teacher: asTeacher(teacherModel), losses: [{ loss: kdLoss({ temperature: 4 }), weight: 1 }], alpha: 0.9 } : {}),
    cacheTeacherOutputs: kind === 'kd-cached',
    optimizer: { name: 'adam', learningRate: 1e-3 },
  });
  return {
    scheme,
    dispose: () => {
      scheme.dispose();
      student.dispose();
      teacherModel?.dispose();
    },
  };
}

/**
 * Times the real training step (the offline scheme's step, as the trainer runs it) on synthetic data:
 * warm-up steps first (kernel compilation, optimiser slots, allocator high-water marks), then `steps`
 * timed steps ended by one read, so queued asynchronous work is inside the measurement.
 */
export async function measureStep(pair: PerfPair, kind: StepKind, options: { batchSize: number; steps: number; warmup: number }): Promise<StepMeasurement> {
  const batches = 4;
  const data = syntheticData(pair, options.batchSize * batches, 7);
  const { scheme, dispose } = buildScheme(pair, kind);
  const prepared: Batch[] = [...data.batches({ batchSize: options.batchSize, shuffle: false, seed: 1, epoch: 0 })];
  try {
    await scheme.prepare(
      { numClasses: 10, inputShape: pair.inputShape, datasetSize: data.size, epochs: 1, stepsPerEpoch: batches, totalSteps: options.steps + options.warmup, seed: 1, train: data },
      prepared[0]!,
    );
    const run = (count: number): tf.Scalar[] => {
      const totals: tf.Scalar[] = [];
      for (let i = 0; i < count; i++) {
        const terms = scheme.step(prepared[i % batches]!, { epoch: 0, step: i, fraction: 0 });
        for (const [name, value] of Object.entries(terms)) {
          if (name === 'total') totals.push(value);
          else value.dispose();
        }
      }
      return totals;
    };
    const warm = run(options.warmup);
    await warm.at(-1)?.data();
    tf.dispose(warm);
    const started = performance.now();
    const totals = run(options.steps);
    await totals.at(-1)!.data();
    const seconds = (performance.now() - started) / 1000;
    tf.dispose(totals);
    return { samplesPerSecond: (options.steps * options.batchSize) / seconds, msPerStep: (seconds * 1000) / options.steps };
  } finally {
    for (const batch of prepared) tf.dispose([batch.x, batch.y, batch.index]);
    dispose();
  }
}
