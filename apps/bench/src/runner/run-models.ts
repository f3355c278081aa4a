import type { Teacher } from '@distillery/core';
import { mixSeed } from '@distillery/data';
import { benchTeacher, buildBenchModel, initBenchModelFrom, loadBenchTeacher, type BenchModel } from '../text/bench-model.js';
import type { RunTask } from '../plan/plan-suite.js';
import { teacherEntries } from '../plan/run-config.js';

/** The models of one run: what it trains and what teaches it. */
export interface RunModels {
  /** the row's student first (the one the row scores and saves), then its cohort peers */
  readonly students: readonly BenchModel[];
  readonly teachers: readonly Teacher[];
  /** a fresh model of the student's architecture, seeded from the run (schemes that build generations or top up cohorts) */
  readonly createStudent: (seed: number) => BenchModel;
  dispose(): void;
}

/**
 * Builds the student and its peers from the config's seeds and loads every teacher the run depends on
 * from the folder its run saved it to (white-box or black-box, in the student's view).
 */
export async function buildRunModels(task: RunTask, numClasses: number): Promise<RunModels> {
  const { config } = task;
  const role = config.role === 'teacher' ? 'teacher' : 'student';
  const owned: BenchModel[] = [];
  const dispose = (): void => owned.forEach((model) => model.dispose());
  try {
    owned.push(buildBenchModel(config.model, config.view, config.dataset, config.modelSeed, numClasses, role));
    // initFrom: the student continues from another row's trained student (TinyBERT's stage 2)
    if (config.initFrom) {
      if (!task.initFolder) throw new Error(`run ${task.label} starts from another run's student but has no folder to load it from`);
      await initBenchModelFrom(owned[0]!, task.initFolder);
    }
    (config.peers ?? []).forEach((peer, i) => owned.push(buildBenchModel(peer.model, config.view, config.dataset, peer.modelSeed, numClasses, `peer${i + 1}`)));
    const students = [...owned];
    const teachers: Teacher[] = [];
    const entries = teacherEntries(config);
    for (const [i, entry] of entries.entries()) {
      const folder = task.teacherFolders[i];
      if (!folder) throw new Error(`run ${task.label} needs a teacher but has no teacher folder`);
      const model = await loadBenchTeacher(entry.model, entry.view, entry.modelSeed, numClasses, folder, entries.length > 1 ? `teacher${i + 1}` : 'teacher');
      owned.push(model);
      teachers.push(benchTeacher(model, { blackBox: entry.blackBox === true, view: entry.view, studentView: config.view }));
    }
    // Models built on request belong to the scheme that asked (it disposes them); seeds differ per run.
    const createStudent = (seed: number): BenchModel => buildBenchModel(config.model, config.view, config.dataset, mixSeed(config.modelSeed, seed), numClasses, `${role}-${seed}`);
    return { students, teachers, createStudent, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
