import type { Batch } from '../contracts/data.js';
import type { SchemeContext } from '../contracts/scheme.js';
import { ConfigError, EmptyDatasetError, NonFiniteLossError } from '../errors.js';
import { evaluateModels } from '../metrics/evaluate.js';
import { captureTrackables, restoreTrackables } from './checkpoint.js';
import { TermAccumulator } from './term-accumulator.js';
import type { EpochRecord, TrainerOptions, TrainingResult } from './trainer-types.js';

function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  batch.y.dispose();
  batch.index.dispose();
}

function firstNonFinite(terms: Record<string, number>): string | undefined {
  return Object.keys(terms).find((name) => !Number.isFinite(terms[name]));
}

function validateOptions(options: TrainerOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new ConfigError(`epochs must be a positive integer, got ${options.epochs}`, 'pass epochs >= 1');
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new ConfigError(`batchSize must be a positive integer, got ${options.batchSize}`, 'pass e.g. batchSize: 128');
  }
  if (options.evaluateEvery !== undefined && (!Number.isInteger(options.evaluateEvery) || options.evaluateEvery < 1)) {
    throw new ConfigError(`evaluateEvery must be a positive integer, got ${options.evaluateEvery}`, 'pass evaluateEvery >= 1 (1 evaluates after every epoch)');
  }
  if (options.train.size === 0) throw new EmptyDatasetError(`training dataset "${options.train.name}"`);
  if (options.evaluation && options.evaluation.size === 0) throw new EmptyDatasetError(`evaluation dataset "${options.evaluation.name}"`);
  if (options.evaluation && options.evaluation.numClasses !== options.train.numClasses) {
    throw new ConfigError(
      `evaluation dataset has ${options.evaluation.numClasses} classes but the training set has ${options.train.numClasses}`,
      'evaluate on data with the same label space',
    );
  }
}

/**
 * The training loop: a custom loop rather than model.fit, because distillation losses need teacher
 * outputs, features and sample indices that compiled Keras losses never see. The scheme applies its
 * own updates; the trainer owns the epoch/batch order, evaluation, checkpoints and tensor hygiene.
 */
export class Trainer {
  constructor(private readonly options: TrainerOptions) {
    validateOptions(options);
  }

  async fit(): Promise<TrainingResult> {
    const { scheme, train, evaluation, epochs, batchSize, seed, checkpoint, callbacks } = this.options;
    const logEvery = Math.max(1, this.options.logEvery ?? 25);
    const evaluateEvery = this.options.evaluateEvery ?? 1;
    const dropRemainder = this.options.dropRemainder ?? false;
    const stepsPerEpoch = dropRemainder ? Math.floor(train.size / batchSize) : Math.ceil(train.size / batchSize);
    if (stepsPerEpoch === 0) {
      throw new ConfigError(`batchSize ${batchSize} exceeds the ${train.size} training samples with dropRemainder`, 'lower batchSize');
    }
    const totalSteps = stepsPerEpoch * epochs;

    const context: SchemeContext = {
      numClasses: train.numClasses,
      inputShape: train.inputShape,
      datasetSize: train.size,
      epochs,
      stepsPerEpoch,
      totalSteps,
      seed,
      train,
    };
    const sample = this.firstBatch(batchSize);
    try {
      await scheme.prepare(context, sample);
    } finally {
      disposeBatch(sample);
    }

    const history: EpochRecord[] = [];
    let startEpoch = 0;
    if (checkpoint) {
      const saved = await checkpoint.load();
      if (saved) {
        await restoreTrackables(scheme.trackables(), saved.tensors, checkpoint.location);
        startEpoch = saved.meta.epochsDone;
        history.push(...((saved.meta.history as EpochRecord[] | undefined) ?? []));
      }
    }
    callbacks?.onTrainStart?.({ totalSteps, startEpoch, stepsPerEpoch });

    const accumulator = new TermAccumulator();
    let globalStep = startEpoch * stepsPerEpoch;
    try {
      for (let epoch = startEpoch; epoch < epochs; epoch++) {
        await scheme.onEpochStart?.(epoch);
        accumulator.reset();
        const started = performance.now();
        let samples = 0;
        let stepInEpoch = 0;
        for (const batch of train.batches({ batchSize, shuffle: true, seed, epoch, dropRemainder })) {
          const progress = { epoch, step: globalStep, fraction: globalStep / totalSteps };
          try {
            const terms = scheme.step(batch, progress);
            accumulator.add(terms);
            for (const value of Object.values(terms)) value.dispose();
          } finally {
            samples += batch.size;
            disposeBatch(batch);
          }
          globalStep += 1;
          stepInEpoch += 1;
          if (stepInEpoch % logEvery === 0) {
            const means = await accumulator.read();
            const bad = firstNonFinite(means);
            if (bad) throw new NonFiniteLossError(bad, epoch, globalStep);
            callbacks?.onStep?.({ epoch, step: globalStep, totalSteps, terms: means });
          }
        }
        const terms = await accumulator.read();
        const bad = firstNonFinite(terms);
        if (bad) throw new NonFiniteLossError(bad, epoch, globalStep);
        const trainSeconds = (performance.now() - started) / 1000;
        callbacks?.onStep?.({ epoch, step: globalStep, totalSteps, terms });
        await scheme.onEpochEnd?.(epoch);
        const due = (epoch + 1) % evaluateEvery === 0 || epoch === epochs - 1;
        const metrics = evaluation && due ? await evaluateModels(scheme.evaluationModels(), evaluation, scheme.referenceModel?.()) : {};
        const record: EpochRecord = { epoch, terms, metrics, trainSeconds, samplesPerSecond: samples / trainSeconds };
        history.push(record);
        if (checkpoint) {
          await checkpoint.save({
            meta: { format: 1, scheme: scheme.name, epochsDone: epoch + 1, globalStep, seed, history },
            tensors: await captureTrackables(scheme.trackables()),
          });
        }
        await callbacks?.onEpochEnd?.(record);
      }
    } finally {
      accumulator.reset();
    }

    const trainSeconds = history.reduce((sum, record) => sum + record.trainSeconds, 0);
    const trainedSamples = history.reduce((sum, record) => sum + record.samplesPerSecond * record.trainSeconds, 0);
    return {
      history,
      final: history[history.length - 1],
      trainSeconds,
      samplesPerSecond: trainSeconds > 0 ? trainedSamples / trainSeconds : 0,
      resumedFromEpoch: startEpoch,
    };
  }

  private firstBatch(batchSize: number): Batch {
    const iterator = this.options.train.batches({ batchSize, shuffle: false, seed: this.options.seed, epoch: 0 })[Symbol.iterator]();
    const first = iterator.next();
    // Release the generator so a lazily-created second batch is never allocated.
    iterator.return?.();
    if (first.done) throw new EmptyDatasetError(`training dataset "${this.options.train.name}"`);
    return first.value;
  }
}

/** Convenience wrapper: `await train({ scheme, train, epochs, batchSize, seed })`. */
export async function train(options: TrainerOptions): Promise<TrainingResult> {
  return new Trainer(options).fit();
}

