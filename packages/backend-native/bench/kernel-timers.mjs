// Per-kernel timers shared by the profiling scripts: wraps every kernel of a tfjs backend with a timer
// that runs only between start() and stop(), then prints ms and calls per step, largest first.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';

/**
 * @param {string} tfBackend the tfjs backend whose kernels to wrap
 * @param {{ cpuTime?: boolean, byShape?: boolean }} options cpuTime: process CPU time instead of wall
 *   time; byShape: one entry per kernel and input dtypes/shapes
 */
export function installKernelTimers(tfBackend, { cpuTime = false, byShape = false } = {}) {
  const timers = new Map();
  let timing = false;
  const cpuMs = (since) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  for (const config of tf.getKernelsForBackend(tfBackend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, tfBackend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (!timing) return inner(args);
        const start = cpuTime ? process.cpuUsage() : performance.now();
        const out = inner(args);
        const shapes = byShape ? ` ${Object.values(args.inputs).filter(Boolean).map((t) => `${t.dtype}[${t.shape}]`).join(' ')}` : '';
        const key = `${config.kernelName}${shapes}`;
        const entry = timers.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += cpuTime ? cpuMs(start) : performance.now() - start;
        entry.calls += 1;
        timers.set(key, entry);
        return out;
      },
    });
  }
  return {
    start: () => {
      timing = true;
    },
    stop: () => {
      timing = false;
    },
    /** Prints the kernels' total against `stepMs` (the step's time in the same clock), then each kernel. */
    report: (steps, stepMs) => {
      const total = [...timers.values()].reduce((sum, e) => sum + e.ms, 0) / steps;
      console.log(`kernels ${total.toFixed(1)} ms, outside kernels ${(stepMs - total).toFixed(1)} ms (${cpuTime ? 'CPU' : 'wall'} time)`);
      const width = byShape ? 60 : 28;
      for (const [name, e] of [...timers.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
        if (e.ms / steps < 0.05) continue;
        console.log(`  ${name.padEnd(width)} ${(e.ms / steps).toFixed(2).padStart(9)} ms/step  ${(e.calls / steps).toFixed(1).padStart(5)} calls/step`);
      }
    },
  };
}

/** Runs `count` scheme steps over `batches` in turn, then waits for the last loss (the steps are done). */
export async function runSchemeSteps(scheme, batches, count) {
  let last;
  for (let i = 0; i < count; i++) {
    const terms = scheme.step(batches[i % batches.length], { epoch: 0, step: i, fraction: 0 });
    for (const [name, value] of Object.entries(terms)) {
      if (name === 'total') {
        last?.dispose();
        last = value;
      } else value.dispose();
    }
  }
  await last.data();
  last.dispose();
}
