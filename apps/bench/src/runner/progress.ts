import cliProgress from 'cli-progress';

/** What the runner reports while training; the CLI draws it, tests and --json ignore it. */
export interface ProgressSink {
  start(totalSteps: number, runsToDo: number): void;
  /** stepsDone over every run of this invocation; `status` names the runs in flight with their loss */
  update(stepsDone: number, runsDone: number, status: string): void;
  /** a line above the bar (a failed run, say) */
  log(line: string): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, log() {}, stop() {} };

/** The bar's line; the ETA shows "-" until the first steps give a rate (cli-progress would print NULL/INF). */
const formatLine: cliProgress.GenericFormatter = (options, params, payload: { runsDone: number; runs: number; status: string }) => {
  const eta = Number.isFinite(params.eta) && params.value > 0 ? cliProgress.Format.TimeFormat(params.eta, options, 5) : '-';
  return `${cliProgress.Format.BarFormat(params.progress, options)} ${Math.floor(params.progress * 100)}% | ETA ${eta} | runs ${payload.runsDone}/${payload.runs} | ${payload.status}`;
};

/** A single bar over every step of every run to do, with ETA, runs done and the live loss of the runs in flight. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let runs = 0;
  const bar = new cliProgress.SingleBar(
    {
      format: formatLine,
      etaBuffer: 200,
      hideCursor: true,
      stream,
      // cli-progress stays quiet without a TTY (CI logs): fall back to a line every few seconds there.
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, runsToDo) => {
      runs = runsToDo;
      bar.start(Math.max(1, total), 0, { runsDone: 0, runs, status: 'starting' });
    },
    update: (done, runsDone, status) => bar.update(done, { runsDone, runs, status }),
    log: (line) => {
      // On a terminal, erase the bar's line first; the bar redraws itself below on its next update.
      stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
    },
    stop: () => bar.stop(),
  };
}

/** Tracks steps per run in flight and turns them into the bar's numbers. */
export class ProgressTracker {
  private finishedSteps = 0;
  private runsDone = 0;
  private readonly active = new Map<string, { label: string; step: number; loss: number | undefined }>();

  constructor(private readonly sink: ProgressSink) {}

  start(runId: string, label: string): void {
    this.active.set(runId, { label, step: 0, loss: undefined });
    this.render();
  }

  step(runId: string, step: number, loss: number | undefined): void {
    const entry = this.active.get(runId);
    if (!entry) return;
    entry.step = step;
    entry.loss = loss;
    this.render();
  }

  finish(runId: string, plannedSteps: number): void {
    this.active.delete(runId);
    this.finishedSteps += plannedSteps;
    this.runsDone += 1;
    this.render();
  }

  private render(): void {
    const inFlight = [...this.active.values()];
    const status = inFlight.map((r) => `${r.label} loss ${r.loss === undefined ? '-' : r.loss.toFixed(4)}`).join(' | ') || 'idle';
    this.sink.update(this.finishedSteps + inFlight.reduce((sum, r) => sum + r.step, 0), this.runsDone, status);
  }
}
