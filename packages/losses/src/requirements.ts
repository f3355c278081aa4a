import { ConfigError, MissingFeatureError, TeacherAccessError } from '@distillery/core';
import type { KnowledgeLoss, LossSetup } from '@distillery/core';

/**
 * Checks a loss's declared needs against what the run provides, before training starts, so misuse
 * fails with a typed error and a hint instead of a shape error deep inside a gradient closure.
 * Losses call it from `prepare`; schemes may call it again for losses they did not write.
 */
export function checkLossRequirements(loss: Pick<KnowledgeLoss, 'name' | 'requires'>, setup: LossSetup): void {
  const { requires } = loss;
  if (requires.teacher === 'white-box' && setup.teacherAccess === 'black-box') {
    throw new TeacherAccessError(loss.name);
  }
  for (const feature of requires.studentFeatures ?? []) {
    if (!(feature in setup.studentFeatureShapes)) {
      throw new MissingFeatureError(`the student (needed by loss "${loss.name}")`, feature, Object.keys(setup.studentFeatureShapes));
    }
  }
  for (const feature of requires.teacherFeatures ?? []) {
    if (!(feature in setup.teacherFeatureShapes)) {
      throw new MissingFeatureError(`the teacher (needed by loss "${loss.name}")`, feature, Object.keys(setup.teacherFeatureShapes));
    }
  }
  if (requires.minClasses !== undefined && setup.numClasses < requires.minClasses) {
    throw new ConfigError(
      `loss "${loss.name}" needs at least ${requires.minClasses} classes, the dataset has ${setup.numClasses}`,
      'use a dataset with more classes or a loss without this requirement',
    );
  }
  if (requires.sampleIndices && !(setup.datasetSize > 0)) {
    throw new ConfigError(
      `loss "${loss.name}" keys state by sample index but the dataset size is ${setup.datasetSize}`,
      'pass the training set size in the loss setup (the trainer does this from the dataset)',
    );
  }
}
