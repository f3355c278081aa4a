import type { HyperParameters, OptimizerSpec, Registry } from '@distillery/core';
import { checkSchemeConstruction, needsConstructionCheck } from './check-scheme.js';
import { checkClasses, checkMethodNames, checkPaper, commonChecks, lookupModel } from './row-checks.js';
import type { AugmentationSpec, LossRef, MethodRow, ModelSpec, OptimizerSpecInput, PaperFigure, SubsetSpec, SuiteSpec, View } from './schema.js';
import type { SuiteIssue } from './suite-error.js';
import { checkTeacherLosses } from './teacher-losses.js';
import { checkTextLosses, checkTextModels, checkTransfer, isLmLabelsOnly, isLmVanillaKd, resolveInitFrom } from './text-checks.js';
import { findCycles, findTeachingRow, teacherRefsOf, type TeachingRow } from './teacher-refs.js';
import { checkTrainingSet, syntheticSetOf, type SyntheticSet } from './training-set.js';

export type Role = 'teacher' | 'student-alone' | 'distilled';

export interface ResolvedMethod {
  readonly scheme: string;
  readonly schemeOptions: HyperParameters;
  readonly losses: readonly LossRef[];
  readonly alpha: number | undefined;
  readonly classBias: { readonly offsets: Readonly<Record<string, number>>; readonly paper: PaperFigure | undefined } | undefined;
  /** the row's own optimiser, when it overrides the suite's */
  readonly optimizer: OptimizerSpecInput | undefined;
  /** rows trained on no images of the dataset: a clock or noise of stepsPerEpoch x batchSize samples */
  readonly syntheticSet: SyntheticSet | undefined;
}

/** A row by its report name. */
export interface RowRef {
  readonly group: string;
  readonly id: string;
}

/** A teacher of a method row: a teacher row or another method row, possibly seen as a black box. */
export interface ResolvedTeacherRef extends RowRef {
  readonly blackBox: boolean;
}

/** A model trained in the same run as the row's student (a cohort); it sees the student's view. */
export interface ResolvedPeer {
  readonly modelName: string;
  readonly model: ModelSpec;
}

/** One row of the report, with every default filled in: what a run of it needs besides its seed. */
export interface ResolvedRow {
  /** 'output': another evaluation model (peer, head, ensemble) of a method row's run; trains nothing */
  readonly kind: 'teacher' | 'method' | 'output';
  readonly group: string;
  readonly id: string;
  readonly role: Role;
  /** legend entry in the charts: "teacher", "student alone", "kd", "offline: kd+fitnet", "dml", ... */
  readonly series: string;
  readonly modelName: string;
  readonly model: ModelSpec;
  readonly view: View;
  readonly data: SubsetSpec;
  readonly augmentation: AugmentationSpec;
  readonly epochs: number;
  readonly paper: PaperFigure | undefined;
  /** the first teacher (group and id), for rows that learn from a teacher */
  readonly teacher: RowRef | undefined;
  /** every teacher, in the order the scheme receives them */
  readonly teachers: readonly ResolvedTeacherRef[];
  /** the cohort beside the student */
  readonly peers: readonly ResolvedPeer[];
  /** which initialisation of the architecture (0 by default) */
  readonly init: number;
  readonly method: ResolvedMethod | undefined;
  /** output rows: the row whose run they read, and which of its evaluation models */
  readonly output: { readonly of: RowRef; readonly model: string } | undefined;
  /** method rows with initFrom: the row whose trained student this row's student starts from */
  readonly initFrom?: RowRef;
}

export interface ResolvedSuite {
  readonly spec: SuiteSpec;
  /** where the suite came from (file path or shipped name), for messages */
  readonly source: string;
  readonly quick: boolean;
  /** report order: per group, teachers, student alone, vanilla KD, then the rest in file order; output rows follow their row */
  readonly rows: readonly ResolvedRow[];
}

function seriesOf(role: Role, method: ResolvedMethod | undefined): string {
  if (role === 'teacher') return 'teacher';
  if (role === 'student-alone' || !method) return 'student alone';
  const losses = method.losses.map((l) => l.name).join('+');
  if (method.scheme === 'offline') return losses || 'labels';
  return losses ? `${method.scheme}: ${losses}` : method.scheme;
}

const isVanillaKd = (row: ResolvedRow): boolean =>
  row.kind === 'method' && row.role === 'distilled' && row.method?.scheme === 'offline' && ((row.method.losses.length === 1 && row.method.losses[0]?.name === 'kd') || isLmVanillaKd(row.method.scheme, row.method.losses, 1)) && row.teachers.length === 1;
const isStudentAlone = (row: ResolvedRow): boolean => row.kind === 'method' && row.role === 'student-alone' && row.method?.scheme === 'offline';

function rank(row: ResolvedRow): number {
  if (row.kind === 'teacher') return 0;
  if (isStudentAlone(row)) return 1;
  if (isVanillaKd(row)) return 2;
  return 3;
}

const keyOf = (ref: RowRef): string => `${ref.group}\u0000${ref.id}`;

interface MethodResolution {
  readonly row: MethodRow;
  readonly path: string;
  readonly resolved: ResolvedRow | undefined;
  /** indices of the method rows this row learns from */
  readonly methodTeachers: number[];
}

/** Teachers of a method row: named ones (teacher or method rows), else (rows without peers) the group's only teacher when a loss needs one. */
function resolveTeachers(row: MethodRow, index: number, path: string, teaching: readonly TeachingRow[], registry: Registry, issues: SuiteIssue[]): { refs: ResolvedTeacherRef[]; methodTeachers: number[] } {
  const group = row.group ?? '';
  const refs: ResolvedTeacherRef[] = [];
  const methodTeachers: number[] = [];
  for (const ref of teacherRefsOf(row, path)) {
    const found = findTeachingRow(teaching, ref.id, group);
    if ('message' in found) {
      issues.push({ path: ref.path, message: found.message });
      continue;
    }
    if (found.row.kind === 'method' && found.row.index === index) {
      issues.push({ path: ref.path, message: `row "${row.id}" cannot learn from itself` });
      continue;
    }
    if (refs.some((r) => r.group === found.row.group && r.id === found.row.id)) issues.push({ path: ref.path, message: `teacher "${ref.id}" is named twice` });
    refs.push({ group: found.row.group, id: found.row.id, blackBox: ref.blackBox });
    if (found.row.kind === 'method') methodTeachers.push(found.row.index);
  }
  const needsTeacher = row.losses.some((l) => registry.hasLoss(l.name) && registry.loss(l.name).knowledge !== 'none');
  // a cohort's losses read its own members (online schemes train their teacher as a peer): no teacher row is implied
  if (refs.length === 0 && row.teacher === undefined && row.teachers === undefined && needsTeacher && row.peers === undefined) {
    const candidates = teaching.filter((t) => t.kind === 'teacher' && t.group === group);
    const only = candidates[0];
    if (candidates.length === 1 && only) refs.push({ group: only.group, id: only.id, blackBox: false });
    else issues.push({ path: `${path}.teacher`, message: `a loss needs a teacher: name one (${candidates.length} teachers in this group)` });
  }
  return { refs, methodTeachers };
}

/** Peers: known models that see the same view as the student (a cohort trains on the same batches). */
function resolvePeers(spec: SuiteSpec, row: MethodRow, studentView: View | undefined, path: string, issues: SuiteIssue[]): ResolvedPeer[] {
  const peers: ResolvedPeer[] = [];
  row.peers?.forEach((name, i) => {
    const found = lookupModel(spec, name, `${path}.peers[${i}]`, issues);
    if (!found) return;
    if (studentView !== undefined && found.view !== studentView) {
      issues.push({ path: `${path}.peers[${i}]`, message: `peer "${name}" sees view ${found.view} but the student sees ${studentView}: a cohort trains on the same batches` });
    }
    peers.push({ modelName: name, model: found.model });
  });
  if (peers.length > 0 && row.scheme === 'offline') issues.push({ path: `${path}.peers`, message: 'the offline scheme trains one student: use a cohort scheme (dml, ensemble-online, bdkd-online, offline-online)' });
  return peers;
}

/** Fills in defaults (views, teachers, data) and checks every cross-reference; returns the problems found. */
export function resolveSuite(spec: SuiteSpec, registry: Registry, source: string, quick: boolean): { suite: ResolvedSuite; issues: SuiteIssue[] } {
  const issues: SuiteIssue[] = [];
  const rows: ResolvedRow[] = [];
  const seen = new Set<string>();
  const claim = (group: string, id: string, path: string): void => {
    const key = keyOf({ group, id });
    if (seen.has(key)) issues.push({ path: `${path}.id`, message: `"${id}" is used twice${group ? ` in group "${group}"` : ''}` });
    seen.add(key);
  };
  if (new Set(spec.seeds).size !== spec.seeds.length) issues.push({ path: 'seeds', message: 'seeds repeat' });
  checkClasses(spec.dataset.omitClasses, 'dataset.omitClasses', issues);
  checkClasses(spec.dataset.onlyClasses, 'dataset.onlyClasses', issues);
  checkTextModels(spec, issues);

  const teaching: TeachingRow[] = [
    ...spec.teachers.map((row, index): TeachingRow => ({ kind: 'teacher', group: row.group ?? '', id: row.id, index })),
    ...spec.methods.map((row, index): TeachingRow => ({ kind: 'method', group: row.group ?? '', id: row.id, index })),
  ];

  spec.teachers.forEach((row, i) => {
    const path = `teachers[${i}]`;
    claim(row.group ?? '', row.id, path);
    const common = commonChecks(spec, row, row.model, path, 'model', issues);
    checkTeacherLosses(spec, row, path, registry, issues);
    if (!common) return;
    // a teacher with its own label losses trains as offline with those losses at alpha 1 (no label cross-entropy)
    const method: ResolvedMethod | undefined = row.losses
      ? { scheme: 'offline', schemeOptions: {}, losses: row.losses, alpha: 1, classBias: undefined, optimizer: undefined, syntheticSet: undefined }
      : undefined;
    rows.push({ ...common, kind: 'teacher', id: row.id, role: 'teacher', series: 'teacher', epochs: row.epochs ?? spec.epochs.teacher, paper: row.paper, teacher: undefined, teachers: [], peers: [], init: row.init ?? 0, method, output: undefined });
  });

  const methods: MethodResolution[] = spec.methods.map((row, i) => {
    const path = `methods[${i}]`;
    const group = row.group ?? '';
    claim(group, row.id, path);
    checkMethodNames(row, path, registry, issues);
    checkPaper(row.classBias?.paper, `${path}.classBias.paper`, spec, issues);
    checkClasses(row.classBias ? Object.keys(row.classBias.offsets).map(Number) : undefined, `${path}.classBias.offsets`, issues);
    const { refs, methodTeachers } = resolveTeachers(row, i, path, teaching, registry, issues);
    const initFrom = resolveInitFrom(spec, row, i, path, issues);
    if (initFrom !== undefined) methodTeachers.push(initFrom); // planned after the row it starts from; cycles are caught below
    const common = commonChecks(spec, row, row.student, path, 'student', issues);
    const peers = resolvePeers(spec, row, common?.view, path, issues);
    if (!common) return { row, path, resolved: undefined, methodTeachers };
    const role: Role = (row.scheme === 'offline' && refs.length === 0 && row.losses.length === 0) || isLmLabelsOnly(spec, row, refs.length) ? 'student-alone' : 'distilled';
    const method: ResolvedMethod = {
      scheme: row.scheme,
      schemeOptions: row.schemeOptions ?? {},
      losses: row.losses,
      alpha: row.alpha,
      classBias: row.classBias ? { offsets: row.classBias.offsets, paper: row.classBias.paper } : undefined,
      optimizer: row.optimizer,
      syntheticSet: syntheticSetOf(row),
    };
    const first = refs[0];
    const resolved: ResolvedRow = {
      ...common,
      kind: 'method',
      id: row.id,
      role,
      series: seriesOf(role, method),
      epochs: row.epochs ?? spec.epochs.student,
      paper: row.paper,
      teacher: first ? { group: first.group, id: first.id } : undefined,
      teachers: refs,
      peers,
      init: row.init ?? 0,
      method,
      output: undefined,
      ...(row.initFrom !== undefined ? { initFrom: { group, id: row.initFrom } } : {}),
    };
    checkTransfer(spec, row, common.data, refs.length, path, issues);
    rows.push(resolved);
    row.outputs?.forEach((output, j) => {
      const id = output.id ?? `${row.id} [${output.model}]`;
      claim(group, id, `${path}.outputs[${j}]`);
      checkPaper(output.paper, `${path}.outputs[${j}].paper`, spec, issues);
      rows.push({ ...resolved, kind: 'output', id, series: `${resolved.series} [${output.model}]`, paper: output.paper, output: { of: { group, id: row.id }, model: output.model } });
    });
    return { row, path, resolved, methodTeachers };
  });

  const edges = new Map(methods.map((m, i) => [i, m.methodTeachers] as const));
  for (const cycle of findCycles(edges, (i) => spec.methods[i]?.id ?? String(i))) {
    issues.push({ path: `methods[${cycle.start}]`, message: `teachers form a cycle (${cycle.ids.join(' -> ')}): a chain must start from a row trained without them` });
  }

  // Build each non-offline scheme once with fresh models, so its own checks fail here rather than mid-suite.
  if (issues.length === 0) {
    const byKey = new Map(rows.filter((r) => r.kind !== 'output').map((r) => [`${r.kind === 'teacher' ? 't' : 'm'}\u0000${keyOf(r)}`, r] as const));
    const rowOfRef = (ref: RowRef): ResolvedRow | undefined => byKey.get(`t\u0000${keyOf(ref)}`) ?? byKey.get(`m\u0000${keyOf(ref)}`);
    for (const { row, resolved, path } of methods) {
      if (!resolved?.method) continue;
      // offline rows read the training set; other schemes say so when built (readsTrainingSet)
      let readsTrainingSet = true;
      if (needsConstructionCheck(resolved)) {
        const teacherRows = resolved.teachers.map(rowOfRef).filter((r): r is ResolvedRow => r !== undefined);
        const traits = checkSchemeConstruction(resolved, teacherRows, resolved.method, (resolved.method.optimizer ?? spec.optimizer) as OptimizerSpec, registry, path, issues);
        if (!traits) continue;
        readsTrainingSet = traits.readsTrainingSet;
      }
      checkTrainingSet(row, resolved.method.scheme, readsTrainingSet, path, issues);
      if (resolved.method.scheme === 'offline') {
        const teacherRows = resolved.teachers.map((ref) => ({ row: rowOfRef(ref), blackBox: ref.blackBox })).filter((t): t is { row: ResolvedRow; blackBox: boolean } => t.row !== undefined);
        checkTextLosses(spec, resolved.model, teacherRows.map((t) => ({ model: t.row.model, blackBox: t.blackBox })), resolved.method.losses, registry, path, issues);
      }
    }
  }

  const groups = [...new Set(rows.map((r) => r.group))];
  for (const group of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    const where = group ? `group "${group}"` : 'the suite';
    if (!inGroup.some(isStudentAlone)) issues.push({ path: 'methods', message: `${where} has no "student alone" row (scheme offline, no losses, no teacher)` });
    if (inGroup.some((r) => r.kind === 'teacher') && !inGroup.some(isVanillaKd)) {
      issues.push({ path: 'methods', message: `${where} has a teacher but no vanilla KD row (scheme offline, one teacher, losses: [{ name: kd }])` });
    }
  }
  return { suite: { spec, source, quick, rows: reportOrder(rows, groups) }, issues };
}

/** Per group: teachers, student alone, vanilla KD, the rest in file order; each row's outputs right after it. */
function reportOrder(rows: readonly ResolvedRow[], groups: readonly string[]): ResolvedRow[] {
  const outputsOf = (row: ResolvedRow): ResolvedRow[] => (row.kind === 'method' ? rows.filter((r) => r.output && r.output.of.group === row.group && r.output.of.id === row.id) : []);
  return groups.flatMap((group) =>
    rows
      .map((row, index) => ({ row, index }))
      .filter(({ row }) => row.group === group && row.kind !== 'output')
      .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
      .flatMap(({ row }) => [row, ...outputsOf(row)]),
  );
}
