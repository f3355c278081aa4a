import type { Teacher } from '@distillery/core';
import { mixSeed } from '@distillery/data';
import type { LayersTrainableModel } from '@distillery/models';
import { buildModel } from '../models/build-model.js';
import { runTeacher } from '../models/run-teacher.js';
import { loadTeacher } from '../models/teacher-store.js';
import type { RunTask } from '../plan/plan-suite.js';
import { teacherEntries } from '../plan/run-config.js';

/** The models of one run: what it trains and what teaches it. */
export interface RunModels {
  /** the row's student first (the one the row scores and saves), then its cohort peers */
  readonly students: readonly LayersTrainableModel[];
  readonly teachers: readonly Teacher[];
  /** a fresh model of the student's architecture, seeded from the run (schemes that build generations or top up cohorts) */
  readonly createStudent: (seed: number) => LayersTrainableModel;
  dispose(): void;
}

/**
 * Builds the student and its peers from the config's seeds and loads every teacher the run depends on
 * from the folder its run saved it to (white-box or black-box, in the student's view).
 */
export async function buildRunModels(task: RunTask, numClasses: number): Promise<RunModels> {
  const { config } = task;
  const role = config.role === 'teacher' ? 'teacher' : 'student';
  const owned: LayersTrainableModel[] = [];
  const dispose = (): void => owned.forEach((model) => model.dispose());
  try {
    owned.push(buildModel(config.model, config.view, config.modelSeed, numClasses, role));
    (config.peers ?? []).forEach((peer, i) => owned.push(buildModel(peer.model, config.view, peer.modelSeed, numClasses, `peer${i + 1}`)));
    const students = [...owned];
    const teachers: Teacher[] = [];
    const entries = teacherEntries(config);
    for (const [i, entry] of entries.entries()) {
      const folder = task.teacherFolders[i];
      if (!folder) throw new Error(`run ${task.label} needs a teacher but has no teacher folder`);
      const model = await loadTeacher(entry.model, entry.view, entry.modelSeed, numClasses, folder, entries.length > 1 ? `teacher${i + 1}` : 'teacher');
      owned.push(model);
      teachers.push(runTeacher(model, { blackBox: entry.blackBox === true, view: entry.view, studentView: config.view }));
    }
    // Models built on request belong to the scheme that asked (it disposes them); seeds differ per run.
    const createStudent = (seed: number): LayersTrainableModel => buildModel(config.model, config.view, mixSeed(config.modelSeed, seed), numClasses, `${role}-${seed}`);
    return { students, teachers, createStudent, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
