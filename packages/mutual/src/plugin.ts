import { ConfigError, type DistilleryPlugin, type SchemeDefinition, type SchemeInputs, type Student } from '@distillery/core';
import { BDKD_ONLINE_DEFAULTS, bdkdOnline } from './bdkd-online-scheme.js';
import { DML_DEFAULTS, deepMutualLearning } from './dml-scheme.js';
import { ENSEMBLE_ONLINE_DEFAULTS, ensembleOnline } from './ensemble-online-scheme.js';
import { OFFLINE_ONLINE_DEFAULTS, offlineOnline } from './offline-online-scheme.js';
import { amara2022, lan2018, liu2021, zhang2018 } from './references.js';
import type { TargetMode } from './targets.js';
import type { UpdateOrder } from './updates.js';

/** Seeds of models built through createStudent: far from the seeds users give their own models. */
const CREATED_SEED_BASE = 7_001;

/**
 * The given students, topped up to `size` with fresh models of the student's architecture when the
 * inputs carry a factory; the models built here belong to the scheme.
 */
function cohortOf(scheme: string, inputs: SchemeInputs, size: number): { peers: Student[]; owned: Student[] } {
  if (!Number.isInteger(size) || size < 2) throw new ConfigError(`${scheme}: cohortSize must be an integer >= 2, got ${size}`, 'a cohort has two or more peers');
  const owned: Student[] = [];
  if (inputs.createStudent) {
    for (let i = inputs.students.length; i < size; i++) owned.push(inputs.createStudent(CREATED_SEED_BASE + i));
  }
  return { peers: [...inputs.students, ...owned], owned };
}

type DmlDefaults = { temperature: number; mimicryWeight: number; updateOrder: UpdateOrder; targetMode: TargetMode; cohortSize: number };

export const dmlDefinition: SchemeDefinition<DmlDefaults> = {
  kind: 'scheme',
  name: 'dml',
  summary: 'Deep mutual learning: k peers, each trained with CE + mean KL from the other peers (sequential updates)',
  reference: zhang2018,
  defaults: { ...DML_DEFAULTS, cohortSize: 2 },
  create(inputs, options) {
    const settings = { ...dmlDefinition.defaults, ...options };
    const { peers, owned } = cohortOf('dml', inputs, settings.cohortSize);
    return deepMutualLearning({ ...settings, peers, optimizer: inputs.optimizer, ownedModels: owned });
  },
};

type EnsembleDefaults = { temperature: number; distillWeight: number; cohortSize: number };

export const ensembleOnlineDefinition: SchemeDefinition<EnsembleDefaults> = {
  kind: 'scheme',
  name: 'ensemble-online',
  summary: "Online KD from the cohort's detached mean logits at temperature T (ONE / KDCL-Naive without a gate)",
  reference: lan2018,
  defaults: { ...ENSEMBLE_ONLINE_DEFAULTS, cohortSize: 3 },
  create(inputs, options) {
    const settings = { ...ensembleOnlineDefinition.defaults, ...options };
    const { peers, owned } = cohortOf('ensemble-online', inputs, settings.cohortSize);
    return ensembleOnline({ ...settings, peers, optimizer: inputs.optimizer, ownedModels: owned });
  },
};

type BdkdDefaults = {
  temperature: number;
  studentWeight: number;
  teacherWeight: number;
  emphasisWeight: number;
  baseWeight: number;
  updateOrder: UpdateOrder;
  targetMode: TargetMode;
};

export const bdkdOnlineDefinition: SchemeDefinition<BdkdDefaults> = {
  kind: 'scheme',
  name: 'bdkd-online',
  summary: 'Online BD-KD: a small student and a larger teacher trained together; the student balances forward and reverse KL per sample',
  reference: amara2022,
  defaults: { ...BDKD_ONLINE_DEFAULTS },
  create(inputs, options) {
    const [a, b] = inputs.students;
    if (!a || !b || inputs.students.length !== 2) {
      throw new ConfigError(`bdkd-online trains exactly two models together, got ${inputs.students.length}`, 'pass students: [smallModel, largeModel]');
    }
    // The method is centred on the smaller model: whichever has fewer parameters is the student.
    const [student, teacher] = a.countParams() <= b.countParams() ? [a, b] : [b, a];
    return bdkdOnline({ ...bdkdOnlineDefinition.defaults, ...options, student, teacher, optimizer: inputs.optimizer });
  },
};

type OfflineOnlineDefaults = {
  temperature: number;
  onlineTemperature: number;
  offlineWeight: number;
  onlineWeight: number;
  peerOfflineWeight: number;
  updateOrder: UpdateOrder;
  targetMode: TargetMode;
  cacheTeacherOutputs: boolean;
};

export const offlineOnlineDefinition: SchemeDefinition<OfflineOnlineDefaults> = {
  kind: 'scheme',
  name: 'offline-online',
  summary: 'SOKD-style: the student learns from a frozen teacher and from a peer trained alongside it',
  reference: liu2021,
  defaults: { ...OFFLINE_ONLINE_DEFAULTS },
  create(inputs, options) {
    const teacher = inputs.teachers[0];
    if (!teacher || inputs.teachers.length !== 1) {
      throw new ConfigError(`offline-online takes exactly one frozen teacher, got ${inputs.teachers.length}`, 'pass teachers: [pretrainedTeacher]');
    }
    const { peers, owned } = cohortOf('offline-online', inputs, 2);
    const [student, peer] = peers;
    if (!student || !peer) throw new ConfigError('offline-online needs a student and a peer', 'pass students: [student, peer] or a createStudent factory');
    return offlineOnline({ ...offlineOnlineDefinition.defaults, ...options, teacher, student, peer, optimizer: inputs.optimizer, ownedModels: owned });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/mutual',
  schemes: [dmlDefinition, ensembleOnlineDefinition, bdkdOnlineDefinition, offlineOnlineDefinition] as unknown as SchemeDefinition[],
};
