export { runSuite } from './runner/run-suite.js';
export type { RunSuiteOptions } from './runner/run-suite.js';
export type { RunResult, SuiteResult, EpochSummary } from './runner/run-types.js';
export { summarise, markdownTable } from './report/summary.js';
export { meanStd } from './report/stats.js';
export { SUITES, quickstart, quickstartQuick } from './suites/quickstart.js';
export type { SuiteSpec, MethodSpec, MlpSpec } from './suites/suite-spec.js';
export { createRegistry } from './registry.js';
