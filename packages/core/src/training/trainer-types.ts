import type { Dataset } from '../contracts/data.js';
import type { Scheme } from '../contracts/scheme.js';
import type { ClassificationMetrics } from '../metrics/classification.js';
import type { CheckpointStore } from './checkpoint.js';

export interface StepEvent {
  readonly epoch: number;
  readonly step: number;
  readonly totalSteps: number;
  /** running means of every loss term over the epoch so far */
  readonly terms: Readonly<Record<string, number>>;
}

export interface EpochRecord {
  readonly epoch: number;
  /** epoch means of every loss term */
  readonly terms: Readonly<Record<string, number>>;
  /** metrics of every evaluation model on the evaluation dataset (empty when none is given) */
  readonly metrics: Readonly<Record<string, ClassificationMetrics>>;
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
}

export interface TrainerCallbacks {
  onTrainStart?(info: { readonly totalSteps: number; readonly startEpoch: number; readonly stepsPerEpoch: number }): void;
  onStep?(event: StepEvent): void;
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
}

export interface TrainerOptions {
  readonly scheme: Scheme;
  readonly train: Dataset;
  /** evaluated with every model the scheme produces after every `evaluateEvery`-th epoch and the last */
  readonly evaluation?: Dataset;
  /**
   * epochs between evaluations (default 1). Long schedules on tiny training sets (300 epochs of 100 images)
   * would otherwise spend most of their time evaluating the test set; the last epoch is always evaluated.
   */
  readonly evaluateEvery?: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** drop the last partial batch of each epoch */
  readonly dropRemainder?: boolean;
  /** steps between reads of the loss values (progress, NaN checks); reads are asynchronous */
  readonly logEvery?: number;
  /** checkpoint after every epoch and resume from the latest one when present */
  readonly checkpoint?: CheckpointStore;
  readonly callbacks?: TrainerCallbacks;
}

export interface TrainingResult {
  readonly history: readonly EpochRecord[];
  readonly final: EpochRecord | undefined;
  /** training time only (no evaluation), summed over epochs run in this process and earlier ones */
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
  readonly resumedFromEpoch: number;
}
