import * as tf from '@tensorflow/tfjs';
import {
  ClassCountMismatchError,
  ConfigError,
  assertClassCounts,
  assertInputShape,
  requireNonNegative,
  requirePositive,
  type Batch,
  type Classifier,
  type Objective,
  type OptimizerSpec,
  type SchemeContext,
  type Teacher,
  type TrainableModel,
} from '@distillery/core';
import { crossEntropy, kdLoss, type KdLoss } from '@distillery/losses';
import { TeacherLogitCache } from '@distillery/offline';
import { assertCohort } from './checks.js';
import { CohortScheme, cohortSettings } from './cohort-scheme.js';
import { lossContext } from './context.js';
import type { TargetMode } from './targets.js';
import type { LearnerObjectiveArgs, UpdateOrder } from './updates.js';

export interface OfflineOnlineOptions {
  /** frozen and pre-trained; never optimised */
  readonly teacher: Teacher;
  readonly student: TrainableModel;
  /** a model trained alongside the student, which it learns from and teaches */
  readonly peer: TrainableModel;
  readonly optimizer: OptimizerSpec;
  /** T of the offline terms (frozen teacher -> learner); default 4 */
  readonly temperature?: number;
  /** T of the online terms (student <-> peer); default 1, as in deep mutual learning */
  readonly onlineTemperature?: number;
  /** weight of KD from the frozen teacher into the student; default 1 */
  readonly offlineWeight?: number;
  /** weight of the mutual terms between student and peer; default 1 */
  readonly onlineWeight?: number;
  /** weight of KD from the frozen teacher into the peer; default 1 (0: the peer learns from labels and the student only) */
  readonly peerOfflineWeight?: number;
  /** default 'sequential': the student is updated first, then the peer against the student's new prediction */
  readonly updateOrder?: UpdateOrder;
  readonly targetMode?: TargetMode;
  /** reuse the frozen teacher's logits by sample index on un-augmented batches; default true */
  readonly cacheTeacherOutputs?: boolean;
  readonly ownedModels?: readonly TrainableModel[];
}

export const OFFLINE_ONLINE_DEFAULTS = {
  temperature: 4,
  onlineTemperature: 1,
  offlineWeight: 1,
  onlineWeight: 1,
  peerOfflineWeight: 1,
  updateOrder: 'sequential',
  targetMode: 'inference',
  cacheTeacherOutputs: true,
} as const;

const STUDENT = 0;
const PEER = 1;

/**
 * Joint offline and online distillation in the manner of SOKD (Liu et al. 2021): the student learns
 * both from a frozen, well-trained teacher (trustworthy targets) and from a peer that learns with it
 * (targets it finds easier to imitate). Each step minimises, with T the offline and tau the online
 * temperature, p^T = softmax(z / T):
 *
 *   student: CE(y, p_S) + offlineWeight x T^2 KL(p^T_teacher || p^T_S) + onlineWeight x tau^2 KL(p^tau_P || p^tau_S)
 *   peer:    CE(y, p_P) + onlineWeight x tau^2 KL(p^tau_S || p^tau_P) + peerOfflineWeight x T^2 KL(p^T_teacher || p^T_P)
 *
 * The teacher's logits and the other learner's prediction are constants. SOKD attaches its learning
 * peer (a "knowledge bridge module") to the frozen teacher's features; here the peer is any model,
 * and peerOfflineWeight lets the teacher shape it in that role.
 */
export class OfflineOnline extends CohortScheme {
  readonly name = 'offline-online';
  private readonly ce = crossEntropy();
  private readonly offline: KdLoss;
  private readonly online: KdLoss;
  private readonly weights: { readonly offline: number; readonly online: number; readonly peerOffline: number };
  private cache: TeacherLogitCache | undefined;
  private teacherLogits: tf.Tensor2D | undefined;

  constructor(private readonly options: OfflineOnlineOptions) {
    assertCohort('offline-online', [options.student, options.peer], 2, 'learners (a student and a peer)');
    if (options.teacher.numClasses !== options.student.numClasses) {
      throw new ClassCountMismatchError(`offline-online: teacher "${options.teacher.name}" vs student "${options.student.name}"`, options.student.numClasses, options.teacher.numClasses);
    }
    const d = OFFLINE_ONLINE_DEFAULTS;
    super(
      [
        { key: 'student', model: options.student },
        { key: 'peer', model: options.peer },
      ],
      cohortSettings('offline-online', options, d),
    );
    this.offline = kdLoss({ temperature: requirePositive('offline-online', 'temperature', options.temperature ?? d.temperature) });
    this.online = kdLoss({ temperature: requirePositive('offline-online', 'onlineTemperature', options.onlineTemperature ?? d.onlineTemperature) });
    this.weights = {
      offline: requireNonNegative('offline-online', 'offlineWeight', options.offlineWeight ?? d.offlineWeight),
      online: requireNonNegative('offline-online', 'onlineWeight', options.onlineWeight ?? d.onlineWeight),
      peerOffline: requireNonNegative('offline-online', 'peerOfflineWeight', options.peerOfflineWeight ?? d.peerOfflineWeight),
    };
  }

  protected override async prepareMore(context: SchemeContext): Promise<void> {
    const { teacher } = this.options;
    assertClassCounts(context.numClasses, [teacher]);
    assertInputShape(context.inputShape, [teacher]);
    this.cache?.dispose();
    this.cache = (this.options.cacheTeacherOutputs ?? OFFLINE_ONLINE_DEFAULTS.cacheTeacherOutputs) ? await TeacherLogitCache.build(teacher, context.train) : undefined;
  }

  protected override beginStep(batch: Batch): void {
    // The frozen teacher runs outside every gradient closure (or is looked up), once per step.
    this.teacherLogits = this.cache && !batch.augmented ? this.cache.lookup(batch.index) : tf.tidy(() => this.options.teacher.predictLogits(batch.x));
  }

  protected override endStep(): void {
    this.teacherLogits?.dispose();
    this.teacherLogits = undefined;
  }

  sources(index: number): readonly number[] {
    return [index === STUDENT ? PEER : STUDENT];
  }

  objective({ index, outputs, targets, batch, progress }: LearnerObjectiveArgs): Objective {
    if (!this.teacherLogits) throw new ConfigError('offline-online: an objective was evaluated outside a step', 'use step(), stepLearner() or learnerObjective()');
    const ce = this.ce.compute(lossContext(outputs, undefined, batch, progress, this.numClasses))['ce'] as tf.Scalar;
    const offline = this.offline.compute(lossContext(outputs, this.teacherLogits, batch, progress, this.numClasses))['kd'] as tf.Scalar;
    const online = this.online.compute(lossContext(outputs, targets.get(this.sources(index)[0] as number), batch, progress, this.numClasses))['kd'] as tf.Scalar;
    const offlineWeight = index === STUDENT ? this.weights.offline : this.weights.peerOffline;
    const total = tf.addN([ce, tf.mul(offline, offlineWeight), tf.mul(online, this.weights.online)]) as tf.Scalar;
    return { total, terms: { ce, offline, online } };
  }

  /** the frozen teacher, for agreement metrics */
  referenceModel(): Classifier {
    return this.options.teacher;
  }

  override dispose(): void {
    this.cache?.dispose();
    this.cache = undefined;
    super.dispose();
  }
}

export function offlineOnline(options: OfflineOnlineOptions): OfflineOnline {
  return new OfflineOnline(options);
}
