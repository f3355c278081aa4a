import { ConfigError, requireChoice } from '@distillery/core';
import type { FeatureSide } from '../feature/features.js';
import { availableLayers, layerTap, missingLayer } from './taps.js';

/**
 * Which teacher layer teaches which student layer (TinyBERT's g(m)):
 * - 'uniform': student layer m of M from teacher layer max(1, floor(m N / M)) of N (TinyBERT: 4 <- 12 gives 3, 6, 9, 12);
 * - 'last-k': the student's M layers from the teacher's last M, in order;
 * - 'explicit': studentLayers[i] from teacherLayers[i] (layer numbers as in the `hidden.<i>` taps).
 */
export type LayerMapping = 'uniform' | 'last-k' | 'explicit';
export const LAYER_MAPPINGS: readonly LayerMapping[] = ['uniform', 'last-k', 'explicit'];

export interface LayerMapOptions {
  readonly mapping: LayerMapping;
  /** only with mapping 'explicit' */
  readonly studentLayers: readonly number[];
  readonly teacherLayers: readonly number[];
}

export interface LayerPair {
  readonly student: number;
  readonly teacher: number;
}

function layerList(loss: string, option: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1)) {
    throw new ConfigError(`${loss}: ${option} must be a list of layer numbers >= 1, got ${JSON.stringify(value)}`, 'layers are numbered from 1 as in the hidden.<i> taps');
  }
  return [...(value as number[])];
}

export function resolveLayerMap(loss: string, options: { mapping: unknown; studentLayers: unknown; teacherLayers: unknown }): LayerMapOptions {
  const mapping = requireChoice(loss, 'mapping', options.mapping, LAYER_MAPPINGS);
  const studentLayers = layerList(loss, 'studentLayers', options.studentLayers);
  const teacherLayers = layerList(loss, 'teacherLayers', options.teacherLayers);
  if (mapping === 'explicit') {
    if (studentLayers.length === 0 || studentLayers.length !== teacherLayers.length) {
      throw new ConfigError(
        `${loss}: mapping "explicit" needs equally long, non-empty studentLayers and teacherLayers (got ${studentLayers.length} and ${teacherLayers.length})`,
        'pair layers by position, e.g. studentLayers: [1, 2], teacherLayers: [2, 4]',
      );
    }
  } else if (studentLayers.length > 0 || teacherLayers.length > 0) {
    throw new ConfigError(`${loss}: studentLayers / teacherLayers are only used with mapping "explicit"`, 'set mapping: "explicit" or leave the lists empty');
  }
  return { mapping, studentLayers, teacherLayers };
}

/** Taps `requires` can name before the models are known: the explicit ones, else layer 1 (every model has it). */
export function declaredLayerTaps(map: LayerMapOptions, prefix: string): { student: string[]; teacher: string[] } {
  if (map.mapping === 'explicit') {
    return { student: map.studentLayers.map((l) => layerTap(prefix, l)), teacher: map.teacherLayers.map((l) => layerTap(prefix, l)) };
  }
  return { student: [layerTap(prefix, 1)], teacher: [layerTap(prefix, 1)] };
}

/**
 * The layer pairs for the models at hand; a layer the mapping names but a model lacks throws a
 * MissingFeatureError that lists the layers it has.
 */
export function mapLayers(
  loss: string,
  map: LayerMapOptions,
  prefix: string,
  studentShapes: Readonly<Record<string, readonly number[]>>,
  teacherShapes: Readonly<Record<string, readonly number[]>>,
): LayerPair[] {
  const student = availableLayers(studentShapes, prefix);
  const teacher = availableLayers(teacherShapes, prefix);
  const require = (side: FeatureSide, layer: number, available: readonly number[]): number => {
    if (!available.includes(layer)) throw missingLayer(loss, side, prefix, layer, available);
    return layer;
  };
  if (map.mapping === 'explicit') {
    return map.studentLayers.map((s, i) => ({ student: require('student', s, student), teacher: require('teacher', map.teacherLayers[i] as number, teacher) }));
  }
  if (student.length === 0) throw missingLayer(loss, 'student', prefix, 1, student);
  if (teacher.length === 0) throw missingLayer(loss, 'teacher', prefix, 1, teacher);
  const m = student.length;
  const n = teacher.length;
  if (map.mapping === 'last-k') {
    if (m > n) {
      throw new ConfigError(`${loss}: mapping "last-k" needs no more student layers (${m}) than teacher layers (${n})`, 'use mapping "uniform" or "explicit"');
    }
    return student.map((s, i) => ({ student: s, teacher: teacher[n - m + i] as number }));
  }
  return student.map((s, i) => ({ student: s, teacher: teacher[Math.max(1, Math.floor(((i + 1) * n) / m)) - 1] as number }));
}
