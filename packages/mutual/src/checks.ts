import { ClassCountMismatchError, ConfigError, type TrainableModel } from '@distillery/core';

/**
 * A cohort: at least `minimum` distinct models that predict the same classes. Checked when the scheme is
 * built, so a cohort of one or peers with different heads fail before any data is touched.
 */
export function assertCohort(scheme: string, models: readonly TrainableModel[], minimum: number, role = 'peers'): void {
  if (models.length < minimum) {
    throw new ConfigError(
      `${scheme} needs at least ${minimum} ${role}, got ${models.length}`,
      `online distillation learns from other models: pass ${minimum} or more (e.g. two mlp(...) with different seeds)`,
    );
  }
  const first = models[0] as TrainableModel;
  for (const model of models.slice(1)) {
    if (model.numClasses !== first.numClasses) {
      throw new ClassCountMismatchError(`${scheme}: "${model.name}" vs "${first.name}"`, first.numClasses, model.numClasses);
    }
  }
  if (new Set(models).size !== models.length) {
    throw new ConfigError(`${scheme}: the same model object appears twice`, 'build a separate model for each role; a shared one would be updated twice per step');
  }
}
