import { DistilleryError, type HyperParameters, type Registry } from '@distillery/core';
import type { AugmentationSpec, LossRef, MethodRow, ModelSpec, PaperFigure, SubsetSpec, SuiteSpec, TeacherRow, View } from './schema.js';
import type { SuiteIssue } from './suite-error.js';

export type Role = 'teacher' | 'student-alone' | 'distilled';

export interface ResolvedMethod {
  readonly scheme: string;
  readonly schemeOptions: HyperParameters;
  readonly losses: readonly LossRef[];
  readonly alpha: number | undefined;
  readonly classBias: { readonly offsets: Readonly<Record<string, number>>; readonly paper: PaperFigure | undefined } | undefined;
}

/** One row of the report, with every default filled in: what a run of it needs besides its seed. */
export interface ResolvedRow {
  readonly kind: 'teacher' | 'method';
  readonly group: string;
  readonly id: string;
  readonly role: Role;
  /** legend entry in the charts: "teacher", "student alone", "kd", "offline: kd+fitnet", ... */
  readonly series: string;
  readonly modelName: string;
  readonly model: ModelSpec;
  readonly view: View;
  readonly data: SubsetSpec;
  readonly augmentation: AugmentationSpec;
  readonly epochs: number;
  readonly paper: PaperFigure | undefined;
  /** the teacher row (group and id), for rows that learn from a teacher */
  readonly teacher: { readonly group: string; readonly id: string } | undefined;
  readonly method: ResolvedMethod | undefined;
}

export interface ResolvedSuite {
  readonly spec: SuiteSpec;
  /** where the suite came from (file path or shipped name), for messages */
  readonly source: string;
  readonly quick: boolean;
  /** report order: per group, teachers, student alone, vanilla KD, then the rest in file order */
  readonly rows: readonly ResolvedRow[];
}

const NUM_CLASSES = 10;

function modelView(model: ModelSpec, suiteView: View): View {
  if (model.view) return model.view;
  if (model.type === 'lenet5') return 'padded32';
  if (model.type === 'plainCnn') return suiteView === 'flattened' ? 'image' : suiteView;
  return suiteView;
}

function subsetOf(spec: SuiteSpec, row: SubsetSpec | undefined): SubsetSpec {
  const { trainLimit, labelsPerClass, omitClasses, onlyClasses, subsetSeed } = spec.dataset;
  const base: SubsetSpec = { trainLimit, labelsPerClass, omitClasses, onlyClasses, subsetSeed };
  const merged: Record<string, unknown> = { ...base, ...(row ?? {}) };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as SubsetSpec;
}

function seriesOf(role: Role, method: ResolvedMethod | undefined): string {
  if (role === 'teacher') return 'teacher';
  if (role === 'student-alone' || !method) return 'student alone';
  const losses = method.losses.map((l) => l.name).join('+') || 'labels';
  return method.scheme === 'offline' ? losses : `${method.scheme}: ${losses}`;
}

const isVanillaKd = (row: ResolvedRow): boolean =>
  row.role === 'distilled' && row.method?.scheme === 'offline' && row.method.losses.length === 1 && row.method.losses[0]?.name === 'kd';
const isStudentAlone = (row: ResolvedRow): boolean => row.role === 'student-alone' && row.method?.scheme === 'offline';

function rank(row: ResolvedRow): number {
  if (row.kind === 'teacher') return 0;
  if (isStudentAlone(row)) return 1;
  if (isVanillaKd(row)) return 2;
  return 3;
}

/** Checks that registry names exist and option sets are accepted, by building each loss once. */
function checkMethodNames(row: MethodRow, path: string, registry: Registry, issues: SuiteIssue[]): void {
  if (!registry.hasScheme(row.scheme)) {
    issues.push({ path: `${path}.scheme`, message: `no scheme named "${row.scheme}" is registered (known: ${registry.schemes().map((s) => s.name).join(', ')})` });
  } else {
    const defaults = registry.scheme(row.scheme).defaults;
    for (const key of Object.keys(row.schemeOptions ?? {})) {
      if (!(key in defaults)) issues.push({ path: `${path}.schemeOptions.${key}`, message: `scheme "${row.scheme}" has no option "${key}" (options: ${Object.keys(defaults).join(', ') || 'none'})` });
    }
    if (row.alpha !== undefined && !('alpha' in defaults)) issues.push({ path: `${path}.alpha`, message: `scheme "${row.scheme}" takes no alpha` });
  }
  row.losses.forEach((loss, i) => {
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

function checkClasses(classes: readonly number[] | undefined, path: string, issues: SuiteIssue[]): void {
  classes?.forEach((c, i) => {
    if (c >= NUM_CLASSES) issues.push({ path: `${path}[${i}]`, message: `class ${c} does not exist (classes are 0..${NUM_CLASSES - 1})` });
  });
}

function checkPaper(paper: PaperFigure | undefined, path: string, spec: SuiteSpec, issues: SuiteIssue[]): void {
  if (paper && !(paper.source in spec.references)) {
    issues.push({ path: `${path}.source`, message: `"${paper.source}" is not a key of references (known: ${Object.keys(spec.references).join(', ') || 'none'})` });
  }
}

interface RowCommon {
  readonly group: string;
  readonly modelName: string;
  readonly model: ModelSpec;
  readonly view: View;
  readonly data: SubsetSpec;
  readonly augmentation: AugmentationSpec;
}

function commonChecks(spec: SuiteSpec, row: TeacherRow | MethodRow, modelName: string, path: string, modelKey: string, issues: SuiteIssue[]): RowCommon | undefined {
  const data = subsetOf(spec, row.data);
  if (data.omitClasses && data.onlyClasses) issues.push({ path: `${path}.data`, message: 'give omitClasses or onlyClasses, not both (after merging the dataset settings)' });
  checkClasses(data.omitClasses, `${path}.data.omitClasses`, issues);
  checkClasses(data.onlyClasses, `${path}.data.onlyClasses`, issues);
  checkPaper(row.paper, `${path}.paper`, spec, issues);
  const model = spec.models[modelName];
  if (!model) {
    issues.push({ path: `${path}.${modelKey}`, message: `no model named "${modelName}" in models (known: ${Object.keys(spec.models).join(', ') || 'none'})` });
    return undefined;
  }
  const view = modelView(model, spec.view);
  if (model.type === 'lenet5' && view !== 'padded32') issues.push({ path: `models.${modelName}.view`, message: 'LeNet-5 takes 32x32 images: use view padded32' });
  if (model.type === 'plainCnn' && view === 'flattened') issues.push({ path: `models.${modelName}.view`, message: 'a plain CNN takes images: use view image or padded32' });
  return { group: row.group ?? '', modelName, model, view, data, augmentation: row.augmentation ?? spec.augmentation ?? { jitter: 0 } };
}

/** Fills in defaults (views, teachers, data) and checks every cross-reference; returns the problems found. */
export function resolveSuite(spec: SuiteSpec, registry: Registry, source: string, quick: boolean): { suite: ResolvedSuite; issues: SuiteIssue[] } {
  const issues: SuiteIssue[] = [];
  const rows: ResolvedRow[] = [];
  const teachers: Array<{ group: string; id: string }> = [];
  const seen = new Set<string>();
  const claim = (group: string, id: string, path: string): void => {
    const key = `${group}\u0000${id}`;
    if (seen.has(key)) issues.push({ path: `${path}.id`, message: `"${id}" is used twice${group ? ` in group "${group}"` : ''}` });
    seen.add(key);
  };
  if (new Set(spec.seeds).size !== spec.seeds.length) issues.push({ path: 'seeds', message: 'seeds repeat' });
  checkClasses(spec.dataset.omitClasses, 'dataset.omitClasses', issues);
  checkClasses(spec.dataset.onlyClasses, 'dataset.onlyClasses', issues);

  spec.teachers.forEach((row, i) => {
    const path = `teachers[${i}]`;
    claim(row.group ?? '', row.id, path);
    teachers.push({ group: row.group ?? '', id: row.id });
    const common = commonChecks(spec, row, row.model, path, 'model', issues);
    if (!common) return;
    rows.push({ ...common, kind: 'teacher', id: row.id, role: 'teacher', series: 'teacher', epochs: row.epochs ?? spec.epochs.teacher, paper: row.paper, teacher: undefined, method: undefined });
  });

  spec.methods.forEach((row, i) => {
    const path = `methods[${i}]`;
    const group = row.group ?? '';
    claim(group, row.id, path);
    checkMethodNames(row, path, registry, issues);
    checkPaper(row.paper, `${path}.paper`, spec, issues);
    checkPaper(row.classBias?.paper, `${path}.classBias.paper`, spec, issues);
    checkClasses(row.classBias ? Object.keys(row.classBias.offsets).map(Number) : undefined, `${path}.classBias.offsets`, issues);
    // A teacher is named by id: the group's own teacher of that id first, else the only one in the suite.
    let teacher: { group: string; id: string } | undefined;
    if (row.teacher !== undefined) {
      const named = teachers.filter((t) => t.id === row.teacher);
      teacher = named.find((t) => t.group === group) ?? (named.length === 1 ? named[0] : undefined);
      if (!teacher) {
        issues.push({ path: `${path}.teacher`, message: named.length > 1 ? `several groups have a teacher "${row.teacher}": put this row in one of those groups` : `no teacher with id "${row.teacher}" (known: ${[...new Set(teachers.map((t) => t.id))].join(', ')})` });
      }
    }
    const needsTeacher = row.losses.some((l) => registry.hasLoss(l.name) && registry.loss(l.name).knowledge !== 'none');
    if (row.teacher === undefined && needsTeacher) {
      const candidates = teachers.filter((t) => t.group === group);
      if (candidates.length === 1) teacher = candidates[0];
      else issues.push({ path: `${path}.teacher`, message: `a loss needs a teacher: name one (${candidates.length} teachers in this group)` });
    }
    const common = commonChecks(spec, row, row.student, path, 'student', issues);
    if (!common) return;
    const role: Role = teacher === undefined && row.losses.length === 0 ? 'student-alone' : 'distilled';
    const method: ResolvedMethod = {
      scheme: row.scheme,
      schemeOptions: row.schemeOptions ?? {},
      losses: row.losses,
      alpha: row.alpha,
      classBias: row.classBias ? { offsets: row.classBias.offsets, paper: row.classBias.paper } : undefined,
    };
    rows.push({ ...common, kind: 'method', id: row.id, role, series: seriesOf(role, method), epochs: row.epochs ?? spec.epochs.student, paper: row.paper, teacher, method });
  });

  const groups = [...new Set(rows.map((r) => r.group))];
  for (const group of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    const where = group ? `group "${group}"` : 'the suite';
    if (!inGroup.some((r) => r.kind === 'teacher')) issues.push({ path: 'teachers', message: `${where} has no teacher row` });
    if (!inGroup.some(isStudentAlone)) issues.push({ path: 'methods', message: `${where} has no "student alone" row (scheme offline, no losses, no teacher)` });
    if (!inGroup.some(isVanillaKd)) issues.push({ path: 'methods', message: `${where} has no vanilla KD row (scheme offline, losses: [{ name: kd }])` });
  }
  const ordered = groups.flatMap((group) =>
    rows
      .map((row, index) => ({ row, index }))
      .filter(({ row }) => row.group === group)
      .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
      .map(({ row }) => row),
  );
  return { suite: { spec, source, quick, rows: ordered }, issues };
}
