import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Classifier, type ClassificationMetrics, type ReliabilityBin } from '@distillery/core';
import type { RunTask } from '../plan/plan-suite.js';
import type { RunRecord } from './run-record.js';

/** Saved beside a run's model: what its output rows (peers, heads, ensembles) read. */
export const EVALUATION_MODELS_FILE = 'evaluation-models.json';

/** One evaluation model of a run (a scheme's `evaluationModels()` entry), measured like the run's primary model. */
export interface RecordedModel {
  /** its own trainable parameters when it is a model; heads and ensembles report the whole trained system */
  readonly params: { readonly model: number; readonly extra: number };
  readonly last: ClassificationMetrics;
  readonly reliability: readonly ReliabilityBin[];
  /** test metrics after each epoch, null where the epoch was not evaluated */
  readonly epochs: ReadonlyArray<ClassificationMetrics | null>;
}

export interface EvaluationModelsFile {
  readonly format: 1;
  /** the run's own record */
  readonly record: RunRecord;
  readonly models: Readonly<Record<string, RecordedModel>>;
}

/** A classifier's own parameter count, when it is a trainable model (not a head view or an ensemble). */
export function ownParams(classifier: Classifier): number | undefined {
  const counter = (classifier as { countParams?: unknown }).countParams;
  return typeof counter === 'function' ? (counter as () => number).call(classifier) : undefined;
}

export async function readEvaluationModels(folder: string): Promise<EvaluationModelsFile> {
  return JSON.parse(await readFile(join(folder, EVALUATION_MODELS_FILE), 'utf8')) as EvaluationModelsFile;
}

/**
 * The record of an output row: the source run's record with one of its other evaluation models' metrics
 * (last and best epoch, learning curve, reliability, parameters). Timing and backend are the source
 * run's: that run trained the model.
 */
export function outputRecord(task: RunTask, file: EvaluationModelsFile, name: string): RunRecord {
  const model = file.models[name];
  if (!model) {
    throw new ConfigError(
      `row "${task.rowId}" reads evaluation model "${name}", but run ${file.record.runId} (row "${file.record.row}") has only: ${Object.keys(file.models).join(', ')}`,
      'set outputs[].model to one of those names',
    );
  }
  const { classBias: _classBias, savedModel: _savedModel, ...source } = file.record;
  const epochs = source.epochs.map((epoch, i) => ({ ...epoch, test: model.epochs[i] ?? undefined }));
  const best = epochs.reduce(
    (found, e) => (e.test && e.test.accuracy > found.accuracy ? { epoch: e.epoch, accuracy: e.test.accuracy, errors: e.test.errors } : found),
    { epoch: -1, accuracy: -1, errors: Number.NaN },
  );
  return { ...source, runId: task.runId, suite: task.suite, group: task.group, row: task.rowId, config: task.config, epochs, best, last: model.last, reliability: model.reliability, params: model.params };
}
