import { DistilleryError, type Registry } from '@distillery/core';
import type { AugmentationSpec, LossRef, MethodRow, ModelSpec, PaperFigure, SubsetSpec, SuiteSpec, TeacherRow, View } from './schema.js';
import type { SuiteIssue } from './suite-error.js';

export const NUM_CLASSES = 10;

/** The view a model sees: its own, else LeNet-5's 32x32, else images for CNNs, else the suite's. */
export function modelView(model: ModelSpec, suiteView: View): View {
  if ('view' in model && model.view) return model.view;
  if (model.type === 'lenet5') return 'padded32';
  if (model.type === 'plainCnn') return suiteView === 'flattened' ? 'image' : suiteView;
  return suiteView;
}

/** The suite's dataset subset with the row's settings over it, undefined values dropped. */
export function subsetOf(spec: SuiteSpec, row: SubsetSpec | undefined): SubsetSpec {
  const { trainLimit, labelsPerClass, omitClasses, onlyClasses, subsetSeed } = spec.dataset;
  const base: SubsetSpec = { trainLimit, labelsPerClass, omitClasses, onlyClasses, subsetSeed };
  const merged: Record<string, unknown> = { ...base, ...(row ?? {}) };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as SubsetSpec;
}

/** Checks that registry names exist and option sets are accepted, by building each loss once. */
export function checkMethodNames(row: MethodRow, path: string, registry: Registry, issues: SuiteIssue[]): void {
  if (!registry.hasScheme(row.scheme)) {
    issues.push({ path: `${path}.scheme`, message: `no scheme named "${row.scheme}" is registered (known: ${registry.schemes().map((s) => s.name).join(', ')})` });
  } else {
    const defaults = registry.scheme(row.scheme).defaults;
    for (const key of Object.keys(row.schemeOptions ?? {})) {
      if (!(key in defaults)) issues.push({ path: `${path}.schemeOptions.${key}`, message: `scheme "${row.scheme}" has no option "${key}" (options: ${Object.keys(defaults).join(', ') || 'none'})` });
    }
    if (row.alpha !== undefined && !('alpha' in defaults)) issues.push({ path: `${path}.alpha`, message: `scheme "${row.scheme}" takes no alpha` });
  }
  checkLossNames(row.losses, path, registry, issues);
}

/** Every loss is registered and accepts its options. */
export function checkLossNames(losses: readonly LossRef[], path: string, registry: Registry, issues: SuiteIssue[]): void {
  losses.forEach((loss, i) => {
    if (!registry.hasLoss(loss.name)) {
      issues.push({ path: `${path}.losses[${i}].name`, message: `no loss named "${loss.name}" is registered (known: ${registry.losses().map((l) => l.name).join(', ')})` });
      return;
    }
    try {
      registry.loss(loss.name).create(loss.options ?? {}).dispose?.();
    } catch (error) {
      if (!(error instanceof DistilleryError)) throw error;
      issues.push({ path: `${path}.losses[${i}].options`, message: error.message });
    }
  });
}

export function checkClasses(classes: readonly number[] | undefined, path: string, issues: SuiteIssue[]): void {
  classes?.forEach((c, i) => {
    if (c >= NUM_CLASSES) issues.push({ path: `${path}[${i}]`, message: `class ${c} does not exist (classes are 0..${NUM_CLASSES - 1})` });
  });
}

export function checkPaper(paper: PaperFigure | undefined, path: string, spec: SuiteSpec, issues: SuiteIssue[]): void {
  if (paper && !(paper.source in spec.references)) {
    issues.push({ path: `${path}.source`, message: `"${paper.source}" is not a key of references (known: ${Object.keys(spec.references).join(', ') || 'none'})` });
  }
}

/** A model of `models` and the view it sees, or an issue at `path` when the key is unknown or the view impossible. */
export function lookupModel(spec: SuiteSpec, modelName: string, path: string, issues: SuiteIssue[]): { model: ModelSpec; view: View } | undefined {
  const model = spec.models[modelName];
  if (!model) {
    issues.push({ path, message: `no model named "${modelName}" in models (known: ${Object.keys(spec.models).join(', ') || 'none'})` });
    return undefined;
  }
  const view = modelView(model, spec.view);
  if (model.type === 'lenet5' && view !== 'padded32') issues.push({ path: `models.${modelName}.view`, message: 'LeNet-5 takes 32x32 images: use view padded32' });
  if (model.type === 'plainCnn' && view === 'flattened') issues.push({ path: `models.${modelName}.view`, message: 'a plain CNN takes images: use view image or padded32' });
  return { model, view };
}

export interface RowCommon {
  readonly group: string;
  readonly modelName: string;
  readonly model: ModelSpec;
  readonly view: View;
  readonly data: SubsetSpec;
  readonly augmentation: AugmentationSpec;
}

/** Data, classes, paper source and model of a teacher or method row. */
export function commonChecks(spec: SuiteSpec, row: TeacherRow | MethodRow, modelName: string, path: string, modelKey: string, issues: SuiteIssue[]): RowCommon | undefined {
  const data = subsetOf(spec, row.data);
  if (data.omitClasses && data.onlyClasses) issues.push({ path: `${path}.data`, message: 'give omitClasses or onlyClasses, not both (after merging the dataset settings)' });
  checkClasses(data.omitClasses, `${path}.data.omitClasses`, issues);
  checkClasses(data.onlyClasses, `${path}.data.onlyClasses`, issues);
  checkPaper(row.paper, `${path}.paper`, spec, issues);
  const found = lookupModel(spec, modelName, `${path}.${modelKey}`, issues);
  if (!found) return undefined;
  return { group: row.group ?? '', modelName, model: found.model, view: found.view, data, augmentation: row.augmentation ?? spec.augmentation ?? { jitter: 0 } };
}
