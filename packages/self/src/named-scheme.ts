import type { Batch, Classifier, LossTerms, Scheme, SchemeContext, Trackables, TrainingProgress } from '@distillery/core';

/**
 * A scheme that runs another one under its own name. Born-again generations and the virtual-teacher
 * regulariser are the offline scheme with a particular teacher or loss; the name is what the trainer
 * writes into checkpoints and reports, so it says which method ran.
 */
export class NamedScheme implements Scheme {
  constructor(
    readonly name: string,
    private readonly inner: Scheme,
  ) {}

  prepare(context: SchemeContext, sample: Batch): void | Promise<void> {
    return this.inner.prepare(context, sample);
  }

  step(batch: Batch, progress: TrainingProgress): LossTerms {
    return this.inner.step(batch, progress);
  }

  onEpochStart(epoch: number): void | Promise<void> {
    return this.inner.onEpochStart?.(epoch);
  }

  onEpochEnd(epoch: number): void | Promise<void> {
    return this.inner.onEpochEnd?.(epoch);
  }

  evaluationModels(): Readonly<Record<string, Classifier>> {
    return this.inner.evaluationModels();
  }

  referenceModel(): Classifier | undefined {
    return this.inner.referenceModel?.();
  }

  trackables(): Trackables {
    return this.inner.trackables();
  }

  dispose(): void {
    this.inner.dispose();
  }
}
