import { readsTrainingSet } from '@distillery/data-free';
import { DistilleryError, type OptimizerSpec, type Registry, type Scheme, type Student, type WeightedLoss } from '@distillery/core';
import type { LayersTrainableModel } from '@distillery/models';
import { buildModel } from '../models/build-model.js';
import { runTeacher } from '../models/run-teacher.js';
import { schemeOptionsOf } from '../plan/run-config.js';
import type { ResolvedMethod, ResolvedRow } from './resolve.js';
import { NUM_CLASSES } from './row-checks.js';
import type { SuiteIssue } from './suite-error.js';

/** Rows the offline checks do not cover: another scheme, several teachers, or a cohort. */
export function needsConstructionCheck(row: ResolvedRow): boolean {
  return row.kind === 'method' && (row.method?.scheme !== 'offline' || row.teachers.length > 1 || row.peers.length > 0);
}

/**
 * Builds the row's scheme once, with freshly initialised models of the row's architectures, and records
 * the scheme's own complaint (a cohort of one, a missing teacher, an unknown aggregation, teachers whose
 * class counts differ, ...) as an issue at `path`, so a suite fails before any training rather than when
 * the run starts. Nothing is trained; every model built here is disposed.
 */
/** What the built scheme declares about itself (optional capabilities, read by duck typing). */
export interface SchemeTraits {
  /** false for schemes whose steps never read batch contents (data-free synthesis) */
  readonly readsTrainingSet: boolean;
}

export function checkSchemeConstruction(
  row: ResolvedRow,
  teacherRows: readonly ResolvedRow[],
  method: ResolvedMethod,
  optimizer: OptimizerSpec,
  registry: Registry,
  path: string,
  issues: SuiteIssue[],
): SchemeTraits | undefined {
  const built: LayersTrainableModel[] = [];
  const created: Student[] = [];
  const losses: WeightedLoss[] = [];
  let scheme: Scheme | undefined;
  const make = (spec: ResolvedRow['model'], view: ResolvedRow['view'], seed: number, name: string): LayersTrainableModel => {
    const model = buildModel(spec, view, seed, NUM_CLASSES, name);
    built.push(model);
    return model;
  };
  try {
    const student = make(row.model, row.view, 1, 'student');
    const peers = row.peers.map((peer, i) => make(peer.model, row.view, 2 + i, `peer${i + 1}`));
    const teachers = row.teachers.map((ref, i) => {
      const source = teacherRows[i]!;
      return runTeacher(make(source.model, source.view, 100 + i, `teacher${i}`), { blackBox: ref.blackBox, view: source.view, studentView: row.view });
    });
    for (const loss of method.losses) losses.push({ loss: registry.loss(loss.name).create(loss.options ?? {}), weight: loss.weight });
    scheme = registry.scheme(method.scheme).create(
      {
        teachers,
        students: [student, ...peers],
        createStudent: (seed) => {
          const model = buildModel(row.model, row.view, seed, NUM_CLASSES, `created${seed}`);
          created.push(model);
          return model;
        },
        losses,
        optimizer,
      },
      schemeOptionsOf(method),
    );
    return { readsTrainingSet: readsTrainingSet(scheme) };
  } catch (error) {
    if (!(error instanceof DistilleryError)) throw error;
    issues.push({ path, message: `scheme "${method.scheme}" cannot be built for this row: ${error.message}` });
    return undefined;
  } finally {
    // models the scheme built through createStudent belong to it once it exists
    if (scheme) scheme.dispose();
    else created.forEach((model) => model.dispose());
    losses.forEach((l) => l.loss.dispose?.());
    built.forEach((model) => model.dispose());
  }
}
