import * as tf from '@tensorflow/tfjs';
import { DistilleryError, featureShapes, type HyperParameters, type LossSetup, type Registry } from '@distillery/core';
import { checkLossRequirements } from '@distillery/losses';
import { buildTextRunModel } from '../text/text-models.js';
import { isTextConfig, isTextDatasetName, isTextModel, type TextDatasetConfig } from '../text/text-config.js';
import { datasetConfigOf } from '../text/text-config.js';
import type { MethodRow, ModelSpec, SuiteSpec } from './schema.js';
import type { SuiteIssue } from './suite-error.js';

/** LM suites: a row with no teacher whose losses are all lm-ce is the "student alone" (the LM objective, no teacher). */
export function isLmLabelsOnly(spec: SuiteSpec, row: MethodRow, teacherCount: number): boolean {
  return spec.dataset.name === 'spam-assassin-lm' && row.scheme === 'offline' && teacherCount === 0 && row.losses.length > 0 && row.losses.every((l) => l.name === 'lm-ce');
}

/** LM suites' vanilla KD: offline, one teacher, forward token-level KD (with or without lm-ce). */
export function isLmVanillaKd(scheme: string | undefined, losses: readonly { readonly name: string; readonly options?: HyperParameters | undefined }[], teachers: number): boolean {
  const kd = losses.find((l) => l.name === 'token-kd');
  return scheme === 'offline' && teachers === 1 && kd !== undefined && (kd.options?.['direction'] ?? 'forward') === 'forward' && losses.every((l) => l.name === 'token-kd' || l.name === 'lm-ce');
}

/** Dataset / model compatibility of a text suite, each problem at the model's path. */
export function checkTextModels(spec: SuiteSpec, issues: SuiteIssue[]): void {
  const text = isTextDatasetName(spec.dataset.name);
  const dataset = datasetConfigOf(spec.dataset);
  for (const [name, model] of Object.entries(spec.models)) {
    const path = `models.${name}`;
    if (!isTextModel(model)) {
      if (text) issues.push({ path: `${path}.type`, message: `model type "${model.type}" reads images, but dataset ${spec.dataset.name} is text: use transformer, transformerLm, textCnn or textGru` });
      continue;
    }
    if (!isTextConfig(dataset)) {
      issues.push({ path: `${path}.type`, message: `model type "${model.type}" reads token ids, but dataset ${spec.dataset.name} is images` });
      continue;
    }
    const lm = dataset.name === 'spam-assassin-lm';
    if (lm && model.type !== 'transformerLm') issues.push({ path: `${path}.type`, message: `dataset spam-assassin-lm trains causal language models: use type transformerLm, not ${model.type}` });
    if (!lm && model.type === 'transformerLm') issues.push({ path: `${path}.type`, message: 'a transformerLm predicts next tokens: use dataset spam-assassin-lm, or type transformer for classification' });
    if (model.vocabSize !== undefined && model.vocabSize !== dataset.vocabSize) {
      issues.push({ path: `${path}.vocabSize`, message: `vocabSize ${model.vocabSize} does not match the suite's tokenizer (dataset.vocabSize = ${dataset.vocabSize}): teacher and students must read the same token ids` });
    }
    if (model.maxLength !== undefined && model.maxLength < dataset.maxLength) {
      issues.push({ path: `${path}.maxLength`, message: `the model has ${model.maxLength} positions but sequences are dataset.maxLength = ${dataset.maxLength} tokens long: use maxLength >= ${dataset.maxLength} or shorten the sequences` });
    }
    if ((model.type === 'transformer' || model.type === 'transformerLm') && model.width % model.heads !== 0) {
      issues.push({ path: `${path}.heads`, message: `heads = ${model.heads} does not divide width = ${model.width}: every head gets width / heads dimensions` });
    }
  }
}

/** unlabelledTransfer: text, low-label, and a KD row that reads no label (alpha 1). */
export function checkTransfer(spec: SuiteSpec, row: MethodRow, data: { readonly labelsPerClass?: number | undefined; readonly unlabelledTransfer?: boolean | undefined }, teacherCount: number, path: string, issues: SuiteIssue[]): void {
  if (data.unlabelledTransfer !== true) return;
  if (spec.dataset.name !== 'spam-assassin') issues.push({ path: `${path}.data.unlabelledTransfer`, message: 'unlabelled transfer data is a setting of the spam-assassin dataset' });
  if (data.labelsPerClass === undefined) issues.push({ path: `${path}.data.unlabelledTransfer`, message: 'unlabelledTransfer needs labelsPerClass (the labelled part); without it every text is labelled' });
  if (teacherCount === 0 || row.alpha !== 1 || row.scheme !== 'offline') {
    issues.push({ path: `${path}.alpha`, message: 'a row trained on unlabelled transfer data learns from a teacher alone: scheme offline, a teacher and alpha: 1 (no label is read)' });
  }
}

/** The initFrom row of a method row: another method row of the same group with the same student model. */
export function resolveInitFrom(spec: SuiteSpec, row: MethodRow, index: number, path: string, issues: SuiteIssue[]): number | undefined {
  if (row.initFrom === undefined) return undefined;
  const group = row.group ?? '';
  const found = spec.methods.findIndex((m) => m.id === row.initFrom && (m.group ?? '') === group);
  const at = `${path}.initFrom`;
  if (found < 0) {
    issues.push({ path: at, message: `no method row "${row.initFrom}" in ${group ? `group "${group}"` : 'the suite'} to start from` });
    return undefined;
  }
  if (found === index) {
    issues.push({ path: at, message: `row "${row.id}" cannot start from itself` });
    return undefined;
  }
  if (spec.methods[found]!.student !== row.student) {
    issues.push({ path: at, message: `row "${row.initFrom}" trains model "${spec.methods[found]!.student}", this row "${row.student}": initFrom loads weights into the same architecture` });
    return undefined;
  }
  return found;
}

/**
 * Builds the text student and teachers of an offline row once (fresh weights, a one-sample batch) and
 * runs every loss's own requirement checks against their feature shapes: a TinyBERT layer map naming a
 * layer the model lacks, an LM loss given a classifier, a white-box loss on a black-box teacher fail here.
 */
export function checkTextLosses(
  spec: SuiteSpec,
  student: ModelSpec,
  teachers: ReadonlyArray<{ readonly model: ModelSpec; readonly blackBox: boolean }>,
  losses: readonly { readonly name: string; readonly options?: HyperParameters | undefined }[],
  registry: Registry,
  path: string,
  issues: SuiteIssue[],
): void {
  const dataset = datasetConfigOf(spec.dataset);
  if (!isTextConfig(dataset) || !isTextModel(student) || !teachers.every((t) => isTextModel(t.model))) return;
  const numClasses = dataset.name === 'spam-assassin-lm' ? dataset.vocabSize : spec.dataset.name === 'spam-assassin' && spec.dataset.task === 'binary' ? 2 : 3;
  const build = (model: ModelSpec, name: string) => buildTextRunModel(model as Parameters<typeof buildTextRunModel>[0], dataset as TextDatasetConfig, 1, numClasses, name);
  const models = [build(student, 'student'), ...teachers.map((t, i) => build(t.model, `teacher${i}`))];
  const x = tf.tidy(() => tf.concat([tf.fill([1, 1], 2, 'int32'), tf.fill([1, dataset.maxLength - 1], 5, 'int32')], 1));
  try {
    const [s, t] = [models[0]!, models[1]];
    const setup: LossSetup = {
      numClasses,
      datasetSize: 1,
      ...(teachers.length ? { teacherAccess: teachers[0]?.blackBox ? ('black-box' as const) : ('white-box' as const) } : {}),
      studentFeatureShapes: featureShapes(() => s.forward(x, { training: false })),
      teacherFeatureShapes: t && !teachers[0]?.blackBox ? featureShapes(() => t.forward(x, { training: false })) : {},
      seed: 1,
    };
    losses.forEach((ref, i) => {
      if (!registry.hasLoss(ref.name)) return;
      const loss = registry.loss(ref.name).create(ref.options ?? {});
      try {
        checkLossRequirements(loss, setup);
        loss.prepare?.(setup);
      } catch (error) {
        if (!(error instanceof DistilleryError)) throw error;
        issues.push({ path: `${path}.losses[${i}]`, message: `loss "${ref.name}" cannot train this row: ${error.message} (${error.hint})` });
      } finally {
        loss.dispose?.();
      }
    });
  } finally {
    x.dispose();
    models.forEach((m) => m.dispose());
  }
}
