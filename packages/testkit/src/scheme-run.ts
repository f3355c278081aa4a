import * as tf from '@tensorflow/tfjs';
import type { Batch, Classifier, Dataset, Scheme, SchemeContext, TrainingProgress } from '@distillery/core';
import { disposeBatch } from './tiny-dataset.js';
import { restoreTrackables, snapshotTrackables } from './trackables.js';

/** What a scheme test builds: a fresh scheme, the variables it must never change, and its data. */
export interface SchemeFixture {
  readonly scheme: Scheme;
  /** teacher variables (or any others) that training must leave byte-identical */
  readonly frozen?: readonly tf.Variable[];
  readonly dataset: Dataset;
  /** releases what the fixture made besides the scheme (teacher models, ...); called after the scheme's dispose */
  readonly dispose?: () => void;
}

export interface SchemeRunOptions {
  readonly create: () => SchemeFixture | Promise<SchemeFixture>;
  /** optimisation steps of the main run (default 100) */
  readonly steps?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** steps before tensor counts must stop changing; default one epoch + 2 (caches, optimiser slots) */
  readonly warmupSteps?: number;
  /** after restoring, run one more step on both instances and compare again (default true) */
  readonly compareAfterStep?: boolean;
}

export interface SchemeRunReport {
  readonly steps: number;
  readonly stepsPerEpoch: number;
  readonly warmupSteps: number;
  readonly termNames: readonly string[];
  /** `total` per step */
  readonly totals: readonly number[];
  /** "term@step" for every NaN/Infinity seen */
  readonly nonFinite: readonly string[];
  /** terms that were not scalars, as "term@step" */
  readonly nonScalar: readonly string[];
  /** live tensors after each step (the batch and returned terms already disposed) */
  readonly tensorCounts: readonly number[];
  /** indices into `frozen` of variables whose bytes changed */
  readonly frozenChanged: readonly number[];
  readonly frozenCount: number;
  readonly datasetClasses: number;
  readonly primaryName: string | undefined;
  readonly primaryClasses: number | undefined;
  readonly variableNames: readonly string[];
  readonly restoredVariableNames: readonly string[];
  readonly optimizerNames: readonly string[];
  readonly restoredOptimizerNames: readonly string[];
  /** max |difference| of the primary model's logits between original and restored instance */
  readonly restoreMaxDifference: number;
  /** same after one further identical step on both; undefined when not compared */
  readonly afterStepMaxDifference: number | undefined;
  /** max |logit| of the primary model on the compared batch, to scale the tolerances */
  readonly logitScale: number;
}

function epochCount(dataset: Dataset, batchSize: number): number {
  return Math.ceil(dataset.size / batchSize);
}

function schemeContext(dataset: Dataset, steps: number, batchSize: number, seed: number): SchemeContext {
  const stepsPerEpoch = epochCount(dataset, batchSize);
  return {
    numClasses: dataset.numClasses,
    inputShape: dataset.inputShape,
    datasetSize: dataset.size,
    epochs: Math.ceil(steps / stepsPerEpoch),
    stepsPerEpoch,
    totalSteps: steps,
    seed,
    train: dataset,
  };
}

function firstBatch(dataset: Dataset, batchSize: number, seed: number): Batch {
  for (const batch of dataset.batches({ batchSize, shuffle: false, seed, epoch: 0 })) return batch;
  throw new Error(`dataset "${dataset.name}" yields no batches`);
}

function primaryOf(scheme: Scheme): Classifier | undefined {
  return Object.values(scheme.evaluationModels())[0];
}

function maxDifference(a: Classifier, b: Classifier, x: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(a.predictLogits(x), b.predictLogits(x))));
    return diff.dataSync()[0] as number;
  });
}

function maxAbsLogit(model: Classifier, x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(model.predictLogits(x))).dataSync()[0] as number);
}

function bytesOf(variable: tf.Variable): Uint8Array {
  const data = variable.dataSync() as tf.TypedArray;
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((name, i) => name === [...b].sort()[i]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Trains a scheme as the trainer would (prepare, epochs of batches, each step in tf.tidy, batch and
 * terms disposed after the step), then checks what a checkpoint must preserve by restoring a second
 * instance from the first's trackables. Returns measurements; `describeSchemeConformance` asserts on them.
 */
export async function runSchemeConformance(options: SchemeRunOptions): Promise<SchemeRunReport> {
  const steps = options.steps ?? 100;
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 0;
  const fixture = await options.create();
  const { scheme, dataset } = fixture;
  const context = schemeContext(dataset, steps, batchSize, seed);
  const warmupSteps = options.warmupSteps ?? context.stepsPerEpoch + 2;
  const frozen = fixture.frozen ?? [];
  const frozenBefore = frozen.map(bytesOf);

  const totals: number[] = [];
  const nonFinite: string[] = [];
  const nonScalar: string[] = [];
  const tensorCounts: number[] = [];
  const termNames = new Set<string>();
  let second: SchemeFixture | undefined;
  try {
    const prepareSample = firstBatch(dataset, batchSize, seed);
    try {
      await scheme.prepare(context, prepareSample);
    } finally {
      disposeBatch(prepareSample);
    }

    let step = 0;
    for (let epoch = 0; step < steps; epoch++) {
      await scheme.onEpochStart?.(epoch);
      for (const batch of dataset.batches({ batchSize, shuffle: true, seed, epoch })) {
        if (step >= steps) {
          disposeBatch(batch);
          continue;
        }
        const progress: TrainingProgress = { epoch, step, fraction: step / steps };
        // No tf.tidy here: the Trainer calls step() bare, so a tensor a scheme forgets to dispose must show
        // up as growth below instead of being swept away by a wrapper real training does not have.
        const terms = scheme.step(batch, progress);
        for (const [name, value] of Object.entries(terms)) {
          termNames.add(name);
          if (value.rank !== 0) nonScalar.push(`${name}@${step}`);
          const number = value.dataSync()[0] as number;
          if (!Number.isFinite(number)) nonFinite.push(`${name}@${step}`);
          if (name === 'total') totals.push(number);
        }
        tf.dispose(terms);
        disposeBatch(batch);
        tensorCounts.push(tf.memory().numTensors);
        step++;
      }
      await scheme.onEpochEnd?.(epoch);
    }

    const frozenChanged = frozen.flatMap((v, i) => (sameBytes(bytesOf(v), frozenBefore[i] as Uint8Array) ? [] : [i]));

    // Checkpoint round trip: copy every trackable into a fresh instance and compare predictions.
    const snapshot = await snapshotTrackables(scheme.trackables());
    second = await options.create();
    const secondContext = { ...context, train: second.dataset };
    const sample = firstBatch(second.dataset, batchSize, seed);
    let restoreMaxDifference = Infinity;
    let afterStepMaxDifference: number | undefined;
    let logitScale = NaN;
    try {
      await second.scheme.prepare(secondContext, sample);
      const restored = second.scheme.trackables();
      // Names must line up for a checkpoint to load; the report shows both lists when they do not.
      const namesMatch = sameNames(Object.keys(restored.variables), Object.keys(snapshot.variables));
      if (namesMatch) await restoreTrackables(restored, snapshot);
      const a = primaryOf(scheme);
      const b = primaryOf(second.scheme);
      if (a && b && namesMatch) {
        restoreMaxDifference = maxDifference(a, b, sample.x);
        logitScale = maxAbsLogit(a, sample.x);
        if (options.compareAfterStep ?? true) {
          const progress: TrainingProgress = { epoch: context.epochs, step: steps, fraction: 1 };
          tf.dispose(tf.tidy(() => scheme.step(sample, progress)));
          tf.dispose(tf.tidy(() => (second as SchemeFixture).scheme.step(sample, progress)));
          afterStepMaxDifference = maxDifference(a, b, sample.x);
        }
      }
    } finally {
      disposeBatch(sample);
    }
    const primary = primaryOf(scheme);
    return {
      steps,
      stepsPerEpoch: context.stepsPerEpoch,
      warmupSteps,
      termNames: [...termNames],
      totals,
      nonFinite,
      nonScalar,
      tensorCounts,
      frozenChanged,
      frozenCount: frozen.length,
      datasetClasses: dataset.numClasses,
      primaryName: primary?.name,
      primaryClasses: primary?.numClasses,
      variableNames: Object.keys(scheme.trackables().variables),
      restoredVariableNames: Object.keys(second.scheme.trackables().variables),
      optimizerNames: Object.keys(scheme.trackables().optimizers),
      restoredOptimizerNames: Object.keys(second.scheme.trackables().optimizers),
      restoreMaxDifference,
      afterStepMaxDifference,
      logitScale,
    };
  } finally {
    for (const f of [fixture, second]) {
      if (!f) continue;
      f.scheme.dispose();
      f.dispose?.();
    }
  }
}

/** Mean of a slice; NaN for an empty one. */
export function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
