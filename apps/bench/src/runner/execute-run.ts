import { Trainer, type BackendChoice, type Classifier, type Dataset, type Scheme, type WeightedLoss } from '@distillery/core';
import { relative, dirname } from 'node:path';
import { runData } from '../data/suite-data.js';
import { saveBenchModel, type BenchModel } from '../text/bench-model.js';
import { lmEvaluation } from '../text/lm-evaluation.js';
import { prepareTextData } from '../text/text-data.js';
import type { RunTask } from '../plan/plan-suite.js';
import { evaluateEveryOf, schemeOptionsOf } from '../plan/run-config.js';
import { createRegistry } from '../registry.js';
import { EVALUATION_MODELS_FILE, outputRecord, ownParams, readEvaluationModels, type EvaluationModelsFile, type RecordedModel } from './evaluation-models.js';
import { finalEvaluation, referenceArgMax } from './final-evaluation.js';
import { buildRunModels } from './run-models.js';
import { syntheticTrainingSet } from '../data/synthetic-set.js';
import { saveSamples } from './save-samples.js';
import type { EpochSummary, RunRecord } from './run-record.js';

export interface RunContext {
  readonly backend: BackendChoice;
  /** the backend asked for, or undefined for automatic selection */
  readonly requestedBackend: string | undefined;
  /** the results file, to store the saved model's path relative to it */
  readonly resultsFile: string;
  readonly onProgress?: (step: number, totalSteps: number, loss: number | undefined) => void;
}

/** Trainable variables the scheme optimises beyond the model's own: a method's extra parameters (a cohort's peers count here). */
function extraParams(scheme: Scheme, model: BenchModel): number {
  const own = new Set(model.trainableVariables());
  return Object.values(scheme.trackables().variables)
    .filter((v) => v.trainable && !own.has(v))
    .reduce((sum, v) => sum + v.size, 0);
}

/**
 * Every evaluation model of a trained scheme, measured like the primary one, for the output rows that
 * read them (cohort peers, BYOT heads, ensembles).
 */
async function recordModels(
  models: Readonly<Record<string, Classifier>>,
  primaryName: string,
  primary: RecordedModel,
  history: ReadonlyArray<{ readonly metrics: Readonly<Record<string, RecordedModel['last']>> }>,
  test: Dataset,
  reference: { readonly model: Classifier | undefined; readonly argMax: Int32Array | undefined },
): Promise<Record<string, RecordedModel>> {
  const recorded: Record<string, RecordedModel> = {};
  for (const [name, classifier] of Object.entries(models)) {
    const epochs = history.map((record) => record.metrics[name] ?? null);
    if (name === primaryName) {
      recorded[name] = { ...primary, epochs };
      continue;
    }
    // an online teacher is itself the reference: its agreement with itself would read 100 %
    const evaluation = await finalEvaluation(classifier, test, classifier === reference.model ? undefined : reference.argMax, undefined);
    const own = ownParams(classifier);
    recorded[name] = { params: own !== undefined ? { model: own, extra: 0 } : primary.params, last: evaluation.last, reliability: evaluation.reliability, epochs };
  }
  return recorded;
}

/** An output row's run: trains nothing, reads the evaluation model its source run recorded. */
async function executeOutputRun(task: RunTask, name: string): Promise<RunRecord> {
  if (!task.sourceFolder) throw new Error(`run ${task.label} reads another run's evaluation models but has no source folder`);
  return outputRecord(task, await readEvaluationModels(task.sourceFolder), name);
}

/**
 * Runs one task in the current thread: builds the data, the student and its peers, loads the teachers it
 * depends on, creates the scheme and losses through the registry, trains, evaluates, and saves the
 * model (with every evaluation model's metrics) when other runs need it.
 */
export async function executeRun(task: RunTask, context: RunContext): Promise<RunRecord> {
  if (task.config.evaluationModel !== undefined) return executeOutputRun(task, task.config.evaluationModel);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { config } = task;
  await prepareTextData(config, task.tokenizerFile); // text suites: the suite's tokenizer and token datasets
  const data = runData(config);
  const { test } = data;
  // rows trained on no images of the dataset: noise, or a clock for schemes that never read batches
  const train = syntheticTrainingSet(config, data.train.numClasses) ?? data.train;
  const registry = createRegistry();
  const numClasses = train.numClasses;
  const runModels = await buildRunModels(task, numClasses);
  const model = runModels.students[0]!;
  let scheme: Scheme | undefined;
  try {
    const method = config.method ?? { scheme: 'offline', schemeOptions: {}, losses: [] };
    const losses: WeightedLoss[] = method.losses.map((l) => ({ loss: registry.loss(l.name).create(l.options ?? {}), weight: l.weight }));
    scheme = registry.scheme(method.scheme).create(
      { teachers: runModels.teachers, students: runModels.students, createStudent: runModels.createStudent, losses, optimizer: config.optimizer },
      schemeOptionsOf(method),
    );
    const result = await new Trainer({
      scheme,
      train,
      evaluation: test,
      // at most ~30 test-set evaluations per run (or the suite's `evaluations`): 300 epochs of 100 images
      // would otherwise spend most of their time evaluating 10,000 test images; the last is always evaluated
      evaluateEvery: evaluateEveryOf(config),
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      callbacks: { onStep: (event) => context.onProgress?.(event.step, event.totalSteps, event.terms['total']) },
    }).fit();
    const models = scheme.evaluationModels();
    const primaryName = Object.keys(models)[0] ?? 'student';
    const primary = models[primaryName] ?? model;
    const referenceModel = scheme.referenceModel?.();
    const reference = await referenceArgMax(referenceModel, test);
    const evaluation = await finalEvaluation(primary, test, reference, config.method?.classBias);
    // LM suites: held-out perplexity and next-token accuracy at every position (the classification metrics are the last position's)
    const lm = config.dataset.name === 'spam-assassin-lm' ? lmEvaluation(primary, test) : undefined;
    const epochs: EpochSummary[] = result.history.map((record) => ({
      epoch: record.epoch,
      terms: record.terms,
      test: record.metrics[primaryName],
      trainSeconds: record.trainSeconds,
      samplesPerSecond: record.samplesPerSecond,
    }));
    const best = epochs.reduce(
      (found, e) => (e.test && e.test.accuracy > found.accuracy ? { epoch: e.epoch, accuracy: e.test.accuracy, errors: e.test.errors } : found),
      { epoch: -1, accuracy: -1, errors: Number.NaN },
    );
    const params = { model: ownParams(primary) ?? model.countParams(), extra: extraParams(scheme, model) };
    const samples = task.samplesFile ? await saveSamples(scheme, task.samplesFile) : undefined;
    const record: RunRecord = {
      format: 1,
      runId: task.runId,
      suite: task.suite,
      group: task.group,
      row: task.rowId,
      role: config.role,
      seed: config.seed,
      config,
      backend: { requested: context.requestedBackend ?? 'auto', selected: context.backend.name, tfBackend: context.backend.tfBackend },
      startedAt,
      finishedAt: new Date().toISOString(),
      trainSize: train.size,
      testSize: test.size,
      epochs,
      best,
      last: evaluation.last,
      ...(evaluation.classBias ? { classBias: evaluation.classBias } : {}),
      reliability: evaluation.reliability,
      params,
      trainSeconds: result.trainSeconds,
      wallSeconds: (performance.now() - started) / 1000,
      samplesPerSecond: result.samplesPerSecond,
      ...(lm ? { lm } : {}),
      ...(task.saveFolder ? { savedModel: relative(dirname(context.resultsFile), task.saveFolder) } : {}),
      ...(samples && task.samplesFile ? { samples: relative(dirname(context.resultsFile), task.samplesFile).split('\\').join('/') } : {}),
    };
    if (task.saveFolder) {
      const recorded = await recordModels(models, primaryName, { params, last: evaluation.last, reliability: evaluation.reliability, epochs: [] }, result.history, test, { model: referenceModel, argMax: reference });
      const file: EvaluationModelsFile = { format: 1, record, models: recorded };
      await saveBenchModel(model, task.saveFolder, { [EVALUATION_MODELS_FILE]: JSON.stringify(file) });
    }
    return record;
  } finally {
    scheme?.dispose();
    runModels.dispose();
  }
}
