import type { DistilleryPlugin, SchemeDefinition } from '@distillery/core';
import { ConfigError } from '@distillery/core';
import { offlineDistillation } from './offline-scheme.js';

interface OfflineDefaults extends Record<string, number | boolean> {
  alpha: number;
  cacheTeacherOutputs: boolean;
}

export const offlineSchemeDefinition: SchemeDefinition<OfflineDefaults> = {
  kind: 'scheme',
  name: 'offline',
  summary: 'Frozen pre-trained teacher -> student with (1 - alpha) CE + alpha * distillation losses',
  reference: { title: 'Distilling the Knowledge in a Neural Network', authors: 'Hinton, Vinyals, Dean', year: 2015, url: 'https://arxiv.org/abs/1503.02531' },
  defaults: { alpha: 0.9, cacheTeacherOutputs: true },
  create(inputs, options) {
    const student = inputs.students[0];
    if (!student) throw new ConfigError('the offline scheme needs one student', 'pass students: [model]');
    if (inputs.teachers.length > 1) throw new ConfigError('the offline scheme takes one teacher', 'use the multi-teacher scheme for several');
    const settings = { ...offlineSchemeDefinition.defaults, ...options };
    return offlineDistillation({
      ...(inputs.teachers[0] ? { teacher: inputs.teachers[0] } : {}),
      student,
      losses: inputs.losses,
      alpha: inputs.losses.length > 0 ? settings.alpha : 0,
      optimizer: inputs.optimizer,
      cacheTeacherOutputs: settings.cacheTeacherOutputs,
    });
  },
};

export const plugin: DistilleryPlugin = { name: '@distillery/offline', schemes: [offlineSchemeDefinition as unknown as SchemeDefinition] };
