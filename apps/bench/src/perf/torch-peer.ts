import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export interface TorchPeerResult {
  readonly torch: string;
  readonly threads: number;
  /** samples/s by "<pair>/<kind>" */
  readonly results: Readonly<Record<string, number>>;
}

function peerScript(): string {
  // dist/cli.js and src/perf/torch-peer.ts both sit two levels below the app folder's perf/ sibling
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'perf', 'torch_step.py'), join(here, '..', '..', 'perf', 'torch_step.py')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('perf/torch_step.py is missing from the bench app');
}

/**
 * Runs the PyTorch peer of the perf steps when python3 with torch is installed; returns undefined
 * (with the reason) otherwise. OMP_WAIT_POLICY=PASSIVE: with OpenMP's spinning threads OpenBLAS
 * oversubscribes 2 cores, which made PyTorch 2x slower here; passive is its fastest configuration.
 */
export function runTorchPeer(options: { batchSize: number; steps: number; warmup: number; threads: number }): TorchPeerResult | { unavailable: string } {
  // Debian's python3-torch lives under /usr/bin/python3, which a version manager's python3 may shadow.
  const candidates = process.env['PYTHON'] ? [process.env['PYTHON']] : ['python3', '/usr/bin/python3'];
  const python = candidates.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) return { unavailable: `no python3 with torch (tried ${candidates.join(', ')})` };
  const run = spawnSync(python, [peerScript(), String(options.batchSize), String(options.steps), String(options.warmup), String(options.threads)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) return { unavailable: `the PyTorch peer failed: ${run.stderr.trim().split('\n').at(-1) ?? ''}` };
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchPeerResult;
}
