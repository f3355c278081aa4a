import { ConfigError, EmptyDatasetError, type Dataset, type OptimizerSpec, type TrainableModel, type TrainingResult } from '@distillery/core';
import { mixSeed } from '@distillery/data';
import type { WarningHandler } from './capacity.js';
import { isFactory, resolveModel, type ModelSource } from './model-source.js';
import { runLink } from './run-link.js';
import { runChain, type ChainKdOptions } from './run-chain.js';

export type AssistantRanking = 'student-accuracy' | 'student-nll';

export interface CompareAssistantsOptions {
  /** the top teacher: trained once (when it is a factory or trainTeacher is set) and shared by every candidate */
  readonly teacher: ModelSource;
  /** the final student; built afresh with the same seed for every candidate, so only the assistant differs */
  readonly student: (seed: number) => TrainableModel;
  /** candidate assistant sizes, as factories */
  readonly candidates: readonly ((seed: number) => TrainableModel)[];
  readonly train: Dataset;
  /** held-out data the ranking is measured on */
  readonly evaluation: Dataset;
  /** epochs of each link (teacher -> assistant, assistant -> student) */
  readonly epochs: number;
  readonly trainTeacher?: boolean;
  readonly teacherEpochs?: number;
  readonly optimizer: OptimizerSpec;
  readonly kd?: ChainKdOptions;
  readonly batchSize?: number;
  readonly seed?: number;
  /** also distil the student from the teacher directly (no assistant), as the baseline row; default true */
  readonly includeDirect?: boolean;
  /** default 'student-accuracy' (ties broken by NLL) */
  readonly rankBy?: AssistantRanking;
  readonly onWarning?: WarningHandler;
}

export interface AssistantCandidateResult {
  /** 1-based position in the ranking */
  readonly rank: number;
  /** the assistant's model name, or "direct" for the no-assistant baseline */
  readonly name: string;
  /** index into `candidates`; undefined for the baseline */
  readonly candidate: number | undefined;
  readonly assistantParams: number | undefined;
  /** the assistant's own accuracy on `evaluation` after distillation from the teacher */
  readonly assistantAccuracy: number | undefined;
  readonly studentAccuracy: number;
  readonly studentNll: number;
}

export interface CompareAssistantsResult {
  /** best first */
  readonly ranking: readonly AssistantCandidateResult[];
  readonly best: AssistantCandidateResult;
  /** the (trained) teacher; the caller owns it */
  readonly teacher: { readonly model: TrainableModel; readonly result?: TrainingResult };
}

function finalMetrics(result: TrainingResult, model: string): { accuracy: number; nll: number } {
  const metrics = result.final?.metrics[model];
  if (!metrics) throw new ConfigError(`no evaluation metrics for "${model}"`, 'pass an evaluation dataset');
  return { accuracy: metrics.accuracy, nll: metrics.nll };
}

/**
 * Which assistant size bridges the gap best? Mirzadeh et al. choose the assistant by the *student's*
 * final accuracy; this trains teacher -> candidate -> student for every candidate (and teacher ->
 * student directly as a baseline) and ranks them by the student's accuracy (or NLL) on `evaluation`.
 * Candidate and student models are disposed after they are measured; the teacher is returned.
 */
export async function compareAssistants(options: CompareAssistantsOptions): Promise<CompareAssistantsResult> {
  if (options.candidates.length === 0) throw new ConfigError('no candidate assistants given', 'pass candidates: [seed => model, ...]');
  if (options.evaluation.size === 0) throw new EmptyDatasetError(`evaluation dataset "${options.evaluation.name}"`);
  const seed = options.seed ?? 1;
  const batchSize = options.batchSize ?? 128;
  const kd = { temperature: options.kd?.temperature ?? 4, alpha: options.kd?.alpha ?? 0.9 };
  const teacher = resolveModel(options.teacher, mixSeed(seed, 0));
  const rows: Omit<AssistantCandidateResult, 'rank'>[] = [];
  let teacherResult: TrainingResult | undefined;
  try {
    if (options.trainTeacher ?? isFactory(options.teacher)) {
      teacherResult = await runLink(undefined, teacher, options.teacherEpochs ?? options.epochs, mixSeed(seed, 0, 1), {
        train: options.train,
        batchSize,
        optimizer: options.optimizer,
        temperature: kd.temperature,
        alpha: 0,
        cacheTeacherOutputs: false,
      });
    }
    const common = { train: options.train, evaluation: options.evaluation, epochs: options.epochs, optimizer: options.optimizer, kd, batchSize, seed, trainTeacher: false };
    const studentSeed = mixSeed(seed, 2);
    if (options.includeDirect ?? true) {
      const chain = await runChain({ ...common, stages: [teacher, () => options.student(studentSeed)], ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
      const metrics = finalMetrics((chain.links[0] as (typeof chain.links)[number]).result, 'student');
      rows.push({ name: 'direct', candidate: undefined, assistantParams: undefined, assistantAccuracy: undefined, studentAccuracy: metrics.accuracy, studentNll: metrics.nll });
      chain.student.dispose();
    }
    for (const [i, factory] of options.candidates.entries()) {
      const chain = await runChain({
        ...common,
        // factories (not models) so that runChain releases them if the run fails
        stages: [teacher, () => factory(mixSeed(seed, 1, i)), () => options.student(studentSeed)],
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
      const [toAssistant, toStudent] = chain.links as [(typeof chain.links)[number], (typeof chain.links)[number]];
      const assistant = finalMetrics(toAssistant.result, 'student');
      const student = finalMetrics(toStudent.result, 'student');
      rows.push({
        name: toAssistant.student.name,
        candidate: i,
        assistantParams: toAssistant.studentParams,
        assistantAccuracy: assistant.accuracy,
        studentAccuracy: student.accuracy,
        studentNll: student.nll,
      });
      toAssistant.student.dispose();
      toStudent.student.dispose();
    }
  } catch (error) {
    if (isFactory(options.teacher)) teacher.dispose();
    throw error;
  }
  const byNll = (a: Omit<AssistantCandidateResult, 'rank'>, b: Omit<AssistantCandidateResult, 'rank'>): number => a.studentNll - b.studentNll;
  const sorted = [...rows].sort((a, b) => ((options.rankBy ?? 'student-accuracy') === 'student-nll' ? byNll(a, b) : b.studentAccuracy - a.studentAccuracy || byNll(a, b)));
  const ranking = sorted.map((row, i) => ({ ...row, rank: i + 1 }));
  return { ranking, best: ranking[0] as AssistantCandidateResult, teacher: { model: teacher, ...(teacherResult ? { result: teacherResult } : {}) } };
}
