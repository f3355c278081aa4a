import { ConfigError } from '@distillery/core';

/** One problem in a suite file: where (a dotted path such as `methods[1].losses[0].name`) and what. */
export interface SuiteIssue {
  readonly path: string;
  readonly message: string;
}

/** A suite file that cannot be run; lists every problem found, each with its path. */
export class SuiteValidationError extends ConfigError {
  readonly source: string;
  readonly issues: readonly SuiteIssue[];

  constructor(source: string, issues: readonly SuiteIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path || '(top level)'}: ${issue.message}`);
    super(`suite ${source} is invalid:\n${lines.join('\n')}\n`, 'fix the listed keys; `distillery-bench list` shows the shipped suites and the registered methods');
    this.source = source;
    this.issues = issues;
  }
}

/** ['methods', 1, 'losses', 0, 'name'] -> "methods[1].losses[0].name" */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}
