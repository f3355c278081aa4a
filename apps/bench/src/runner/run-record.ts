import type { BackendName, ClassificationMetrics, ReliabilityBin } from '@distillery/core';
import type { RunConfig } from '../plan/run-config.js';
import type { Role } from '../suites/resolve.js';
import type { LmMetrics } from '../text/lm-evaluation.js';

export interface EpochSummary {
  readonly epoch: number;
  /** epoch means of the loss terms */
  readonly terms: Readonly<Record<string, number>>;
  /** test metrics of the primary model after this epoch */
  readonly test: ClassificationMetrics | undefined;
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
}

/** One finished run: one JSON line of the results file. */
export interface RunRecord {
  readonly format: 1;
  readonly runId: string;
  readonly suite: string;
  /** report row at the time of the run (informational: the report maps rows to runs by id) */
  readonly group: string;
  readonly row: string;
  readonly role: Role;
  readonly seed: number;
  readonly config: RunConfig;
  readonly backend: { readonly requested: string; readonly selected: BackendName; readonly tfBackend: string };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly trainSize: number;
  readonly testSize: number;
  readonly epochs: readonly EpochSummary[];
  readonly best: { readonly epoch: number; readonly accuracy: number; readonly errors: number };
  /** test metrics of the last epoch (what the tables report) */
  readonly last: ClassificationMetrics;
  /** the last epoch's metrics with the method's class-bias offsets added to the logits */
  readonly classBias?: ClassificationMetrics;
  /** reliability-diagram bins of the last epoch (15 equal-width confidence bins) */
  readonly reliability: readonly ReliabilityBin[];
  /** trainable parameters: the model, and what the method adds (regressors, discriminators, ...) */
  readonly params: { readonly model: number; readonly extra: number };
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly samplesPerSecond: number;
  /** teacher runs: where the trained model was saved, relative to the results file */
  readonly savedModel?: string;
  /** LM suites: held-out perplexity and next-token accuracy over every real position */
  readonly lm?: LmMetrics;
  /** runs whose scheme shows its training inputs: the PNG grid of them, relative to the results file */
  readonly samples?: string;
}
