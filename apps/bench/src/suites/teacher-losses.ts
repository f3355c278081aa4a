import type { Registry } from '@distillery/core';
import { checkLossNames } from './row-checks.js';
import type { SuiteSpec, TeacherRow } from './schema.js';
import type { SuiteIssue } from './suite-error.js';

/**
 * A teacher row's own losses: registered, label-only (a teacher row learns from no teacher), and, for
 * language-model suites, present and all `lm-ce`. Without them an LM teacher would train on its label,
 * the token after each window: one position of the window, where the students' `lm-ce` reads them all.
 */
export function checkTeacherLosses(spec: SuiteSpec, row: TeacherRow, path: string, registry: Registry, issues: SuiteIssue[]): void {
  const losses = row.losses ?? [];
  checkLossNames(losses, path, registry, issues);
  losses.forEach((loss, i) => {
    if (registry.hasLoss(loss.name) && registry.loss(loss.name).knowledge !== 'none') {
      issues.push({ path: `${path}.losses[${i}].name`, message: `loss "${loss.name}" learns from a teacher, but a teacher row has none: give it label losses only (e.g. lm-ce), or make it a method row` });
    }
  });
  if (spec.dataset.name === 'spam-assassin-lm' && (losses.length === 0 || losses.some((l) => l.name !== 'lm-ce'))) {
    issues.push({
      path: `${path}.losses`,
      message: 'a language-model teacher must train on every position: set losses: [{ name: lm-ce }] (without it, it learns only the token after each window)',
    });
  }
}
