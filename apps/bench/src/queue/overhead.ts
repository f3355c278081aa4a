/** When one run passed through the queue (ms since the epoch; worker times are on the worker's clock). */
export interface RunTiming {
  /** the coordinator added the job */
  readonly enqueuedAt: number;
  /** a worker's processor took it */
  readonly startedAt: number;
  /** the worker's processor returned the result */
  readonly finishedAt: number;
  /** the coordinator appended the record to the results file (fsynced) */
  appendedAt?: number;
}

export interface Distribution {
  readonly count: number;
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
  readonly max: number;
}

/** The queue's share of the wall time, over the runs of this invocation that went through it. */
export interface QueueOverhead {
  /** job added -> a worker starts it: queue latency plus the wait for a free worker */
  readonly enqueueToStartMs: Distribution;
  /** worker returns -> record in the results file: completion, event delivery, folder download, fsync */
  readonly resultToTableMs: Distribution;
  /** records appended per second between the first enqueue and the last append */
  readonly runsPerSecond: number;
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function queueOverhead(timings: readonly RunTiming[]): QueueOverhead {
  const done = timings.filter((t): t is RunTiming & { appendedAt: number } => t.appendedAt !== undefined);
  const first = Math.min(...done.map((t) => t.enqueuedAt));
  const last = Math.max(...done.map((t) => t.appendedAt));
  return {
    enqueueToStartMs: distribution(done.map((t) => t.startedAt - t.enqueuedAt)),
    resultToTableMs: distribution(done.map((t) => t.appendedAt - t.finishedAt)),
    runsPerSecond: done.length > 0 && last > first ? done.length / ((last - first) / 1000) : 0,
  };
}

const ms = (d: Distribution): string => (d.count === 0 ? '-' : `median ${d.median.toFixed(1)} ms, p95 ${d.p95.toFixed(1)} ms`);

/** One line for the CLI. */
export function formatOverhead(o: QueueOverhead): string {
  return `queue: enqueue -> start ${ms(o.enqueueToStartMs)}; result -> results file ${ms(o.resultToTableMs)}; ${o.runsPerSecond.toFixed(1)} runs/s over ${o.enqueueToStartMs.count} runs`;
}
