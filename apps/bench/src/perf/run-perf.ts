import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '@distillery/core';
import { measureStep } from './measure-step.js';
import { PERF_PAIRS, flopsPerSample, type StepKind } from './perf-cases.js';
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
  readonly batchSize: number;
  readonly steps: number;
}

export interface PerfOptions {
  readonly backends: readonly BackendName[];
  readonly batchSize: number;
  readonly steps: number;
  readonly warmup: number;
  readonly torchThreads: number;
  readonly onProgress?: (message: string) => void;
}

const KINDS: readonly StepKind[] = ['kd', 'kd-cached', 'student'];

/**
 * Samples/s of the KD step (teacher forward + student forward/backward, CE + KL at T=4, Adam) with and
 * without the teacher-output cache, and of the plain student step, for an MLP and a conv pair, on every
 * requested backend that activates, beside PyTorch's figures for the same steps measured in this run.
 */
export async function runPerf(options: PerfOptions): Promise<PerfReport> {
  const torch = runTorchPeer({ batchSize: options.batchSize, steps: options.steps, warmup: options.warmup, threads: options.torchThreads });
  const torchResults = 'results' in torch ? torch.results : undefined;
  const rows: PerfRow[] = [];
  const skippedBackends: Array<{ name: string; reason: string }> = [];
  for (const backend of options.backends) {
    try {
      await selectBackend({ force: backend });
    } catch (error) {
      skippedBackends.push({ name: backend, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const pair of PERF_PAIRS) {
      for (const kind of KINDS) {
        options.onProgress?.(`${backend} ${pair.id}/${kind}`);
        const measured = await measureStep(pair, kind, options);
        const reference = torchResults?.[`${pair.id}/${kind}`];
        rows.push({
          pair: pair.title,
          kind,
          backend,
          samplesPerSecond: measured.samplesPerSecond,
          gflops: (measured.samplesPerSecond * flopsPerSample(pair, kind)) / 1e9,
          ratioToTorch: reference ? measured.samplesPerSecond / reference : undefined,
        });
      }
    }
    // tfjs keeps a backend's memory until it is removed; the next backend starts clean
    tf.disposeVariables();
  }
  if (torchResults) {
    for (const pair of PERF_PAIRS) {
      for (const kind of KINDS) {
        const samplesPerSecond = torchResults[`${pair.id}/${kind}`]!;
        rows.push({ pair: pair.title, kind, backend: 'pytorch', samplesPerSecond, gflops: (samplesPerSecond * flopsPerSample(pair, kind)) / 1e9, ratioToTorch: 1 });
      }
    }
  }
  return { rows, torch, skippedBackends, batchSize: options.batchSize, steps: options.steps };
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
  return [lines.join('\n'), '', `Batch ${report.batchSize}, ${report.steps} timed steps after warm-up. ${torchLine}`, '', 'Teacher overhead with the cache:', ...overhead, ...skipped].join('\n');
}
