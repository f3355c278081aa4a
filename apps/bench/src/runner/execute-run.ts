import {
  Trainer,
  argMaxRows,
  classificationMetrics,
  predictDataset,
  reliabilityBins,
  type BackendChoice,
  type Classifier,
  type ClassificationMetrics,
  type Scheme,
  type Teacher,
  type WeightedLoss,
} from '@distillery/core';
import { asTeacher, type LayersTrainableModel } from '@distillery/models';
import { relative, dirname } from 'node:path';
import { runData } from '../data/suite-data.js';
import { buildModel } from '../models/build-model.js';
import { loadTeacher, saveTeacher } from '../models/teacher-store.js';
import { teacherInView } from '../models/view-adapter.js';
import type { RunTask } from '../plan/plan-suite.js';
import { createRegistry } from '../registry.js';
import { biasProbabilities } from './class-bias.js';
import type { EpochSummary, RunRecord } from './run-record.js';

export interface RunContext {
  readonly backend: BackendChoice;
  /** the backend asked for, or undefined for automatic selection */
  readonly requestedBackend: string | undefined;
  /** the results file, to store the saved model's path relative to it */
  readonly resultsFile: string;
  readonly onProgress?: (step: number, totalSteps: number, loss: number | undefined) => void;
}

/** Trainable variables the scheme optimises beyond the model's own: a method's extra parameters. */
function extraParams(scheme: Scheme, model: LayersTrainableModel): number {
  const own = new Set(model.trainableVariables());
  return Object.values(scheme.trackables().variables)
    .filter((v) => v.trainable && !own.has(v))
    .reduce((sum, v) => sum + v.size, 0);
}

interface FinalEvaluation {
  readonly last: ClassificationMetrics;
  readonly classBias: ClassificationMetrics | undefined;
  readonly reliability: RunRecord['reliability'];
}

async function finalEvaluation(task: RunTask, model: Classifier, reference: Classifier | undefined, test: Parameters<typeof predictDataset>[1]): Promise<FinalEvaluation> {
  const predictions = await predictDataset(model, test);
  const { probabilities, labels, classes } = predictions;
  let referenceArgMax: Int32Array | undefined;
  if (reference) {
    const referencePredictions = await predictDataset(reference, test);
    referenceArgMax = argMaxRows(referencePredictions.probabilities, referencePredictions.classes);
  }
  const offsets = task.config.method?.classBias;
  return {
    last: classificationMetrics(probabilities, labels, classes, referenceArgMax),
    classBias: offsets ? classificationMetrics(biasProbabilities(probabilities, classes, offsets), labels, classes, referenceArgMax) : undefined,
    reliability: reliabilityBins(probabilities, labels, classes),
  };
}

/**
 * Runs one task in the current thread: builds the data and model, loads the teacher it depends on,
 * creates the scheme and losses through the registry, trains, evaluates, saves a teacher's model.
 */
export async function executeRun(task: RunTask, context: RunContext): Promise<RunRecord> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { config } = task;
  const { train, test } = runData(config);
  const registry = createRegistry();
  const numClasses = train.numClasses;
  const isTeacher = config.role === 'teacher';
  const model = buildModel(config.model, config.view, config.modelSeed, numClasses, isTeacher ? 'teacher' : 'student');
  let teacherModel: LayersTrainableModel | undefined;
  let scheme: Scheme | undefined;
  try {
    let teacher: Teacher | undefined;
    if (config.teacher) {
      if (!task.teacherFolder) throw new Error(`run ${task.label} needs a teacher but has no teacher folder`);
      teacherModel = await loadTeacher(config.teacher.model, config.teacher.view, config.teacher.modelSeed, numClasses, task.teacherFolder);
      teacher = teacherInView(asTeacher(teacherModel), config.teacher.view, config.view);
    }
    const method = config.method ?? { scheme: 'offline', schemeOptions: {}, losses: [] };
    const losses: WeightedLoss[] = method.losses.map((l) => ({ loss: registry.loss(l.name).create(l.options ?? {}), weight: l.weight }));
    scheme = registry.scheme(method.scheme).create(
      {
        teachers: teacher ? [teacher] : [],
        students: [model],
        createStudent: (seed) => buildModel(config.model, config.view, seed, numClasses, 'student'),
        losses,
        optimizer: config.optimizer,
      },
      { ...method.schemeOptions, ...(method.alpha !== undefined ? { alpha: method.alpha } : {}) },
    );
    const result = await new Trainer({
      scheme,
      train,
      evaluation: test,
      // at most ~30 test-set evaluations per run: 300 epochs of 100 images would otherwise spend most of
      // their time evaluating 10,000 test images; the last epoch is always evaluated
      evaluateEvery: Math.max(1, Math.ceil(config.epochs / 30)),
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      callbacks: { onStep: (event) => context.onProgress?.(event.step, event.totalSteps, event.terms['total']) },
    }).fit();
    const models = scheme.evaluationModels();
    const primaryName = Object.keys(models)[0] ?? 'student';
    const primary = models[primaryName] ?? model;
    const evaluation = await finalEvaluation(task, primary, scheme.referenceModel?.(), test);
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
    const extra = extraParams(scheme, model);
    if (task.saveFolder) await saveTeacher(model, task.saveFolder);
    return {
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
      params: { model: model.countParams(), extra },
      trainSeconds: result.trainSeconds,
      wallSeconds: (performance.now() - started) / 1000,
      samplesPerSecond: result.samplesPerSecond,
      ...(task.saveFolder ? { savedModel: relative(dirname(context.resultsFile), task.saveFolder) } : {}),
    };
  } finally {
    scheme?.dispose();
    model.dispose();
    teacherModel?.dispose();
  }
}
