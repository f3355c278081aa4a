import type { HyperParameters } from '@distillery/core';
import { createHash } from 'node:crypto';
import type { AugmentationSpec, LossRef, ModelSpec, OptimizerSpecInput, SubsetSpec, View } from '../suites/schema.js';
import type { Role } from '../suites/resolve.js';

/**
 * Everything that determines a run's numbers. Its hash is the run id: re-running a suite skips runs
 * whose id is already in the results, and any change here (data, model, hyper-parameters, the
 * teacher's own config through its run id, seed) makes a new run. Report labels (row ids, groups,
 * paper figures) are not part of it, and neither is the backend: it changes speed, not the maths, and
 * each record says which backend ran it (use another --out folder to compare backends).
 */
export interface RunConfig {
  readonly format: 1;
  readonly dataset: { readonly name: 'mnist' | 'fashion-mnist'; readonly testLimit?: number };
  readonly data: SubsetSpec;
  readonly view: View;
  readonly augmentation: AugmentationSpec;
  readonly model: ModelSpec;
  readonly modelSeed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpecInput;
  readonly role: Role;
  readonly method?: {
    readonly scheme: string;
    readonly schemeOptions: HyperParameters;
    readonly losses: readonly LossRef[];
    readonly alpha?: number;
    readonly classBias?: Readonly<Record<string, number>>;
  };
  readonly teacher?: { readonly runId: string; readonly model: ModelSpec; readonly view: View; readonly modelSeed: number };
  readonly seed: number;
}

/** JSON with object keys sorted at every level and undefined values dropped: equal configs, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex digits of SHA-256 over the canonical config. */
export function runIdOf(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}
