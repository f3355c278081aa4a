import type { ClassificationMetrics, ReliabilityBin } from '@distillery/core';
import type { SuitePlan } from '../plan/plan-suite.js';
import type { RunRecord } from '../runner/run-record.js';
import type { ResolvedRow, Role } from '../suites/resolve.js';
import type { PaperFigure } from '../suites/schema.js';
import { meanStd, type MeanStd } from './stats.js';

export interface CurvePoint {
  readonly epoch: number;
  readonly accuracy: MeanStd;
}

/** One row of the report: a method (or its class-bias evaluation) aggregated over the seeds that finished. */
export interface RowSummary {
  readonly group: string;
  readonly id: string;
  /** "group: id", or id alone when the suite has one group */
  readonly label: string;
  readonly role: Role;
  readonly series: string;
  /** 'class-bias' for the extra row of a method evaluated with its class-bias offsets */
  readonly variant: 'plain' | 'class-bias';
  readonly seedsDone: number;
  readonly seedsPlanned: number;
  readonly params: number;
  readonly extraParams: number;
  readonly errors: MeanStd;
  /** percentages */
  readonly accuracy: MeanStd;
  readonly bestAccuracy: MeanStd;
  readonly ece: MeanStd;
  readonly nll: MeanStd;
  readonly agreement: MeanStd | undefined;
  readonly trainSeconds: MeanStd;
  readonly wallSeconds: MeanStd;
  readonly samplesPerSecond: MeanStd;
  readonly paper: PaperFigure | undefined;
  /** test accuracy (%) per epoch, mean +- std over seeds */
  readonly curve: readonly CurvePoint[];
  /** reliability bins pooled over seeds (counts summed, accuracy and confidence count-weighted) */
  readonly reliability: readonly ReliabilityBin[];
  /** LM suites: held-out perplexity (lower is better) and next-token accuracy % over every position */
  readonly lm?: { readonly perplexity: MeanStd; readonly nextTokenAccuracy: MeanStd };
}

function pooledBins(binSets: ReadonlyArray<readonly ReliabilityBin[]>): ReliabilityBin[] {
  const first = binSets[0];
  if (!first) return [];
  return first.map((bin, b) => {
    let count = 0;
    let correct = 0;
    let confidence = 0;
    for (const bins of binSets) {
      const other = bins[b];
      if (!other) continue;
      count += other.count;
      correct += other.accuracy * other.count;
      confidence += other.confidence * other.count;
    }
    return { lower: bin.lower, upper: bin.upper, count, accuracy: count ? correct / count : 0, confidence: count ? confidence / count : 0 };
  });
}

function curveOf(records: readonly RunRecord[]): CurvePoint[] {
  const epochs = Math.max(0, ...records.map((r) => r.epochs.length));
  return Array.from({ length: epochs }, (_, epoch) => ({
    epoch: epoch + 1,
    accuracy: meanStd(records.map((r) => r.epochs[epoch]?.test?.accuracy).filter((a): a is number => a !== undefined).map((a) => a * 100)),
  })).filter((point) => point.accuracy.n > 0);
}

function summarise(row: ResolvedRow, records: readonly RunRecord[], planned: number, multiGroup: boolean, variant: RowSummary['variant']): RowSummary {
  const metric = (r: RunRecord): ClassificationMetrics => (variant === 'class-bias' ? (r.classBias ?? r.last) : r.last);
  const agreements = records.map((r) => metric(r).agreement).filter((a): a is number => a !== undefined);
  const id = variant === 'class-bias' ? `${row.id} + class bias` : row.id;
  return {
    group: row.group,
    id,
    label: multiGroup && row.group ? `${row.group}: ${id}` : id,
    role: row.role,
    series: row.series,
    variant,
    seedsDone: records.length,
    seedsPlanned: planned,
    params: records[0]?.params.model ?? 0,
    extraParams: records[0]?.params.extra ?? 0,
    errors: meanStd(records.map((r) => metric(r).errors)),
    accuracy: meanStd(records.map((r) => metric(r).accuracy * 100)),
    bestAccuracy: meanStd(records.map((r) => r.best.accuracy * 100)),
    ece: meanStd(records.map((r) => metric(r).ece * 100)),
    nll: meanStd(records.map((r) => metric(r).nll)),
    agreement: agreements.length ? meanStd(agreements.map((a) => a * 100)) : undefined,
    trainSeconds: meanStd(records.map((r) => r.trainSeconds)),
    wallSeconds: meanStd(records.map((r) => r.wallSeconds)),
    samplesPerSecond: meanStd(records.map((r) => r.samplesPerSecond)),
    paper: variant === 'class-bias' ? row.method?.classBias?.paper : row.paper,
    curve: variant === 'class-bias' ? [] : curveOf(records),
    reliability: variant === 'class-bias' ? [] : pooledBins(records.map((r) => r.reliability)),
    ...(row.kind !== 'output' && records.some((r) => r.lm)
      ? { lm: { perplexity: meanStd(records.flatMap((r) => (r.lm ? [r.lm.perplexity] : []))), nextTokenAccuracy: meanStd(records.flatMap((r) => (r.lm ? [r.lm.nextTokenAccuracy * 100] : []))) } }
      : {}),
  };
}

/** Rows in report order with the runs of each that are in the results (missing seeds are left out). */
export function summariseRows(plan: SuitePlan, records: ReadonlyMap<string, RunRecord>): RowSummary[] {
  const multiGroup = new Set(plan.suite.rows.map((r) => r.group)).size > 1;
  return plan.suite.rows.flatMap((row) => {
    const tasks = [...(plan.byRow.get(row)?.values() ?? [])];
    const found = tasks.map((t) => records.get(t.runId)).filter((r): r is RunRecord => r !== undefined);
    const plain = summarise(row, found, tasks.length, multiGroup, 'plain');
    return row.method?.classBias ? [plain, summarise(row, found, tasks.length, multiGroup, 'class-bias')] : [plain];
  });
}

/** Records of the plan that are in the results, in plan order. */
export function planRecords(plan: SuitePlan, records: ReadonlyMap<string, RunRecord>): RunRecord[] {
  return plan.tasks.map((t) => records.get(t.runId)).filter((r): r is RunRecord => r !== undefined);
}
