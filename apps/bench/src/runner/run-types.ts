import type { BackendName, ClassificationMetrics } from '@distillery/core';

export interface EpochSummary {
  readonly epoch: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly testAccuracy: number | undefined;
}

/** One finished training run: one method, one seed. */
export interface RunResult {
  readonly suite: string;
  readonly method: string;
  readonly role: 'teacher' | 'student-alone' | 'distilled';
  readonly seed: number;
  readonly backend: BackendName;
  readonly epochs: number;
  readonly test: ClassificationMetrics;
  readonly history: readonly EpochSummary[];
  readonly params: number;
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
}

export interface SuiteResult {
  readonly suite: string;
  readonly description: string;
  readonly backend: BackendName;
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly runs: readonly RunResult[];
}
