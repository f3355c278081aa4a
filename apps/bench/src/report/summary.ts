import type { RunResult, SuiteResult } from '../runner/run-types.js';
import { meanStd } from './stats.js';

export interface MethodSummary {
  readonly method: string;
  readonly role: RunResult['role'];
  readonly seeds: number;
  readonly params: number;
  readonly errors: { mean: number; std: number };
  readonly accuracy: { mean: number; std: number };
  readonly ece: { mean: number; std: number };
  readonly agreement: { mean: number; std: number } | undefined;
  readonly trainSeconds: { mean: number; std: number };
  readonly samplesPerSecond: { mean: number; std: number };
}

/** Aggregates runs by method (mean +- std over seeds), in the order methods first appear. */
export function summarise(result: SuiteResult): MethodSummary[] {
  const byMethod = new Map<string, RunResult[]>();
  for (const run of result.runs) byMethod.set(run.method, [...(byMethod.get(run.method) ?? []), run]);
  return [...byMethod.entries()].map(([method, runs]) => {
    const agreements = runs.map((r) => r.test.agreement).filter((a): a is number => a !== undefined);
    return {
      method,
      role: runs[0]!.role,
      seeds: runs.length,
      params: runs[0]!.params,
      errors: meanStd(runs.map((r) => r.test.errors)),
      accuracy: meanStd(runs.map((r) => r.test.accuracy * 100)),
      ece: meanStd(runs.map((r) => r.test.ece * 100)),
      agreement: agreements.length ? meanStd(agreements.map((a) => a * 100)) : undefined,
      trainSeconds: meanStd(runs.map((r) => r.trainSeconds)),
      samplesPerSecond: meanStd(runs.map((r) => r.samplesPerSecond)),
    };
  });
}

const pm = (value: { mean: number; std: number }, digits: number): string => `${value.mean.toFixed(digits)} ± ${value.std.toFixed(digits)}`;

/** The suite's table in Markdown (also readable as plain text in a terminal). */
export function markdownTable(result: SuiteResult): string {
  const header = '| method | params | test errors | accuracy % | ECE % | agreement with teacher % | train s | samples/s |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = summarise(result).map(
    (s) =>
      `| ${s.method} | ${s.params.toLocaleString('en-US')} | ${pm(s.errors, 1)} | ${pm(s.accuracy, 2)} | ${pm(s.ece, 2)} | ${s.agreement ? pm(s.agreement, 2) : '-'} | ${pm(s.trainSeconds, 1)} | ${s.samplesPerSecond.mean.toFixed(0)} |`,
  );
  return [header, rule, ...rows].join('\n');
}
