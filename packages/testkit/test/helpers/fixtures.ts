import type { SchemeFixture } from '../../src/index.js';
import { fitTinyModel, tinyDataset, tinyDenseModel, tinyTeacher } from '../../src/index.js';
import { toyKdScheme } from './toy-kd-scheme.js';
import type { ToySchemeOptions } from './toy-kd-scheme.js';

type Faults = Omit<ToySchemeOptions, 'student' | 'teacher'> & { readonly trainTeacher?: boolean };

/** A trained tiny teacher, a fresh student and the toy KD scheme on Gaussian blobs. */
export function toyFixture(faults: Faults = {}): SchemeFixture {
  const dataset = tinyDataset({ size: 64, features: 4, classes: 3, seed: 1 });
  const teacherModel = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 100, name: 'teacher' });
  fitTinyModel(teacherModel, dataset, { epochs: 8 });
  const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [8], seed: 7, name: 'student' });
  const frozen = teacherModel.trainableVariables();
  const scheme = toyKdScheme({
    student,
    teacher: tinyTeacher(teacherModel),
    ...faults,
    ...(faults.trainTeacher ? { alsoTrain: teacherModel } : {}),
  });
  return { scheme, frozen, dataset, dispose: () => teacherModel.dispose() };
}
