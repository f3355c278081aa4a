import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '@distillery/core';
import { measureStep } from './measure-step.js';
import { measureMatmulPeak, type MatmulPeak } from './peak.js';
import { PERF_PAIRS, flopsPerSample, type PerfPair, type StepKind } from './perf-cases.js';
import { runTorchPeer, type TorchPeerResult } from './torch-peer.js';

export interface PerfRow {
  readonly pair: string;
  readonly kind: StepKind;
  readonly backend: BackendName | 'pytorch';
  readonly samplesPerSecond: number;
  readonly gflops: number;
  /** samples/s divided by PyTorch's on the same step, when PyTorch ran */
  readonly ratioToTorch: number | undefined;
}

export interface PerfReport {
  readonly rows: readonly PerfRow[];
  readonly torch: TorchPeerResult | { unavailable: string };
  readonly skippedBackends: ReadonlyArray<{ name: string; reason: string }>;
  /** 2048^2 float32 matmul GFLOP/s per backend measured: the machine's sgemm peak as each reaches it (OpenBLAS on `native`) */
  readonly peaks: readonly MatmulPeak[];
  /** measuring rounds; each row is its best round */
  readonly rounds: number;
  readonly batchSize: number;
  readonly steps: number;
}

export interface PerfOptions {
  readonly backends: readonly BackendName[];
  readonly batchSize: number;
  readonly steps: number;
  readonly warmup: number;
  readonly torchThreads: number;
  /** measuring rounds (default 2); each row reports its best round, see runPerf */
  readonly rounds?: number;
  readonly onProgress?: (message: string) => void;
}

const KINDS: readonly StepKind[] = ['kd', 'kd-cached', 'student'];
const DEFAULT_ROUNDS = 2;

type Measurements = Map<string, number>;

const keyOf = (backend: string, pair: PerfPair, kind: StepKind): string => `${backend}|${pair.id}/${kind}`;

function keepBest(best: Measurements, key: string, samplesPerSecond: number): void {
  best.set(key, Math.max(best.get(key) ?? 0, samplesPerSecond));
}

/** One round: every step on every backend that activates (its matmul peak once, in the first round). */
async function measureBackends(options: PerfOptions, best: Measurements, peaks: MatmulPeak[], skipped: Map<string, string>): Promise<void> {
  for (const backend of options.backends) {
    if (skipped.has(backend)) continue;
    try {
      await selectBackend({ force: backend });
    } catch (error) {
      skipped.set(backend, error instanceof Error ? error.message : String(error));
      continue;
    }
    if (!peaks.some((p) => p.backend === backend)) {
      options.onProgress?.(`${backend} matmul peak`);
      peaks.push(await measureMatmulPeak(backend));
    }
    for (const pair of PERF_PAIRS) {
      for (const kind of KINDS) {
        options.onProgress?.(`${backend} ${pair.id}/${kind}`);
        keepBest(best, keyOf(backend, pair, kind), (await measureStep(pair, kind, options)).samplesPerSecond);
      }
    }
    // tfjs keeps a backend's memory until it is removed; the next backend starts clean
    tf.disposeVariables();
  }
}

/**
 * Samples/s of the KD step (teacher forward + student forward/backward, CE + KL at T=4, Adam) with and
 * without the teacher-output cache, and of the plain student step, for an MLP and a conv pair, on every
 * requested backend that activates, beside PyTorch's figures for the same steps measured in this run.
 * Each round runs the PyTorch peer and then every backend; every row reports its best round, so a
 * burst of load from other processes on a shared machine lowers one round, not the comparison.
 */
export async function runPerf(options: PerfOptions): Promise<PerfReport> {
  const rounds = Math.max(1, Math.floor(options.rounds ?? DEFAULT_ROUNDS));
  const best: Measurements = new Map();
  const peaks: MatmulPeak[] = [];
  const skipped = new Map<string, string>();
  let torch: TorchPeerResult | { unavailable: string } | undefined;
  for (let round = 0; round < rounds; round++) {
    options.onProgress?.(`round ${round + 1}/${rounds}: pytorch`);
    const peer = runTorchPeer({ batchSize: options.batchSize, steps: options.steps, warmup: options.warmup, threads: options.torchThreads });
    if ('results' in peer) {
      for (const [key, value] of Object.entries(peer.results)) keepBest(best, `pytorch|${key}`, value);
      torch = peer;
    } else {
      torch ??= peer;
    }
    await measureBackends(options, best, peaks, skipped);
  }
  const rows: PerfRow[] = [];
  for (const backend of [...options.backends.filter((b) => !skipped.has(b)), ...(torch && 'results' in torch ? ['pytorch' as const] : [])]) {
    for (const pair of PERF_PAIRS) {
      for (const kind of KINDS) {
        const samplesPerSecond = best.get(keyOf(backend, pair, kind));
        if (samplesPerSecond === undefined) continue;
        const reference = best.get(keyOf('pytorch', pair, kind));
        rows.push({
          pair: pair.title,
          kind,
          backend,
          samplesPerSecond,
          gflops: (samplesPerSecond * flopsPerSample(pair, kind)) / 1e9,
          ratioToTorch: reference ? samplesPerSecond / reference : undefined,
        });
      }
    }
  }
  const skippedBackends = [...skipped].map(([name, reason]) => ({ name, reason }));
  return { rows, torch: torch ?? { unavailable: 'not run' }, skippedBackends, peaks, rounds, batchSize: options.batchSize, steps: options.steps };
}

/** The report as a Markdown table, grouped by pair and step, with the teacher overhead of the cache. */
export function perfMarkdown(report: PerfReport): string {
  const lines = [
    '| pair | step | backend | samples/s | GFLOP/s | x PyTorch |',
    '|---|---|---|---:|---:|---:|',
    ...[...report.rows]
      .sort((a, b) => a.pair.localeCompare(b.pair) || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
      .map((r) => `| ${r.pair} | ${r.kind} | ${r.backend} | ${r.samplesPerSecond.toFixed(0)} | ${r.gflops.toFixed(1)} | ${r.ratioToTorch === undefined ? '-' : r.ratioToTorch.toFixed(2)} |`),
  ];
  const overhead: string[] = [];
  for (const backend of new Set(report.rows.map((r) => r.backend))) {
    for (const pair of new Set(report.rows.map((r) => r.pair))) {
      const cached = report.rows.find((r) => r.backend === backend && r.pair === pair && r.kind === 'kd-cached');
      const plain = report.rows.find((r) => r.backend === backend && r.pair === pair && r.kind === 'student');
      if (cached && plain) overhead.push(`- ${backend}, ${pair}: cached KD step costs ${(plain.samplesPerSecond / cached.samplesPerSecond).toFixed(2)}x a plain student step`);
    }
  }
  const torchLine = 'results' in report.torch ? `PyTorch ${report.torch.torch}, ${report.torch.threads} threads, OMP_WAIT_POLICY=PASSIVE.` : `PyTorch not measured: ${report.torch.unavailable}.`;
  const skipped = report.skippedBackends.map((s) => `- ${s.name} skipped: ${s.reason}`);
  const peakLine = report.peaks.length === 0 ? '' : ` Matmul peak (${report.peaks[0]!.size}^2 float32): ${report.peaks.map((p) => `${p.backend} ${p.gflops.toFixed(0)} GFLOP/s`).join(', ')}.`;
  return [lines.join('\n'), '', `Batch ${report.batchSize}, ${report.steps} timed steps after warm-up, best of ${report.rounds} rounds (each round: PyTorch, then every backend). ${torchLine}${peakLine}`, '', 'Teacher overhead with the cache:', ...overhead, ...skipped].join('\n');
}
