import cliProgress from 'cli-progress';

/** What the runner reports while training; the CLI draws it, tests ignore it. */
export interface ProgressSink {
  start(totalSteps: number): void;
  update(stepsDone: number, run: string, loss: number | undefined): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, stop() {} };

/** A single progress bar over every step of every run, with ETA and the live loss. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | ETA {eta_formatted} | {run} | loss {loss}',
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
    start: (total) => bar.start(total, 0, { run: 'starting', loss: '-' }),
    update: (done, run, loss) => bar.update(done, { run, loss: loss === undefined ? '-' : loss.toFixed(4) }),
    stop: () => bar.stop(),
  };
}
