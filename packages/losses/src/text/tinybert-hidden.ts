import * as tf from '@tensorflow/tfjs';
import {
  rejectUnknownOptions,
  requireBoolean,
  requireChoice,
  type KnowledgeLoss,
  type LossDefinition,
  type LossSetup,
  type StepContext,
} from '@distillery/core';
import { readFeature, setupShape } from '../feature/features.js';
import type { Projection } from '../feature/projection.js';
import { requirePrepared } from '../feature/taps.js';
import { checkLossRequirements } from '../requirements.js';
import { declaredLayerTaps, mapLayers, resolveLayerMap } from './layer-map.js';
import type { LayerMapping, LayerPair } from './layer-map.js';
import { makeProjection, maskedSequenceMse, PROJECTION_CHOICES } from './masked-mse.js';
import type { ProjectionChoice } from './masked-mse.js';
import { jiao2020 } from './references.js';
import { checkTeacherAccess, HIDDEN, layerTap, MASK, readMask, requireShape, sequenceWidths } from './taps.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type TinyBertHiddenOptions = {
  readonly mapping: LayerMapping;
  /** layer numbers (as in hidden.<i>) paired by position; only with mapping 'explicit' */
  readonly studentLayers: readonly number[];
  readonly teacherLayers: readonly number[];
  readonly projection: ProjectionChoice;
  /** one W_h for every layer pair, as in the paper and the official code; false: one per pair */
  readonly shareProjection: boolean;
};

export const TINYBERT_HIDDEN_DEFAULTS: TinyBertHiddenOptions = { mapping: 'uniform', studentLayers: [], teacherLayers: [], projection: 'auto', shareProjection: true };

export interface TinyBertHiddenLoss extends KnowledgeLoss {
  readonly options: TinyBertHiddenOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { tinybertHidden: tf.Scalar };
  variables(): Record<string, tf.Variable>;
  dispose(): void;
  /** the layer pairs prepare chose ([] before) */
  readonly pairs: readonly LayerPair[];
}

/**
 * TinyBERT's hidden-state distillation (Jiao et al. 2020, eq. 8): for every mapped layer pair,
 * MSE(H_S W_h, H_T) between `hidden.<m>` of the student and `hidden.<g(m)>` of the teacher, averaged
 * over real tokens and the teacher width, summed over pairs (as the official code sums rep_loss).
 * The mapping g is 'uniform' (the paper's), 'last-k' or 'explicit'; see LayerMapping.
 */
export function tinyBertHiddenLoss(options: Partial<TinyBertHiddenOptions> = {}): TinyBertHiddenLoss {
  const name = 'tinybert-hidden';
  rejectUnknownOptions(name, options, Object.keys(TINYBERT_HIDDEN_DEFAULTS));
  const merged = { ...TINYBERT_HIDDEN_DEFAULTS, ...options };
  const map = resolveLayerMap(name, merged);
  const resolved: TinyBertHiddenOptions = {
    ...map,
    projection: requireChoice(name, 'projection', merged.projection, PROJECTION_CHOICES),
    shareProjection: requireBoolean(name, 'shareProjection', merged.shareProjection),
  };
  const declared = declaredLayerTaps(map, HIDDEN);
  let pairs: LayerPair[] = [];
  let projections: Array<Projection | undefined> = [];
  let shapes: Array<{ student: readonly number[]; teacher: readonly number[] }> = [];
  let prepared = false;
  let shared = false;

  const release = (): void => {
    new Set(projections).forEach((p) => p?.dispose());
    projections = [];
  };

  const loss: TinyBertHiddenLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: [MASK, ...declared.student], teacherFeatures: declared.teacher },
    get pairs() {
      return pairs;
    },
    prepare(setup) {
      checkTeacherAccess(loss, setup);
      const nextPairs = mapLayers(name, map, HIDDEN, setup.studentFeatureShapes, setup.teacherFeatureShapes);
      checkLossRequirements(loss, setup);
      const nextShapes = nextPairs.map((pair) => ({
        student: setupShape(setup, 'student', layerTap(HIDDEN, pair.student)),
        teacher: setupShape(setup, 'teacher', layerTap(HIDDEN, pair.teacher)),
      }));
      const widths = nextShapes.map((shape, i) => sequenceWidths(name, shape.student, shape.teacher, `hidden states of pair ${i + 1}`));
      release();
      shared = resolved.shareProjection && widths.every((w) => w.student === widths[0]?.student && w.teacher === widths[0]?.teacher);
      const first = widths[0];
      const common = shared && first ? makeProjection(name, resolved.projection, first.student, first.teacher, setup.seed, `${name}/projection`) : undefined;
      projections = widths.map((w, i) => (shared ? common : makeProjection(name, resolved.projection, w.student, w.teacher, setup.seed, `${name}/projection${i}`)));
      pairs = nextPairs;
      shapes = nextShapes;
      prepared = true;
    },
    compute(context) {
      requirePrepared(name, prepared);
      const tinybertHidden = tf.tidy((): tf.Scalar => {
        let total: tf.Scalar = tf.scalar(0);
        let mask: tf.Tensor2D | undefined;
        pairs.forEach((pair, i) => {
          const s = readFeature(context, 'student', layerTap(HIDDEN, pair.student), name, shapes[i]?.student);
          const t = readFeature(context, 'teacher', layerTap(HIDDEN, pair.teacher), name, shapes[i]?.teacher);
          const [batch, length] = t.shape as [number, number];
          requireShape(name, `student hidden.${pair.student}`, s.shape.slice(0, 2), [batch, length], 'run the teacher on the same batch as the student');
          mask ??= readMask(context, name, batch, length);
          const projection = projections[i];
          total = tf.add(total, maskedSequenceMse(projection ? projection.apply(s) : s, t, mask));
        });
        return total;
      });
      return { tinybertHidden };
    },
    variables() {
      const out: Record<string, tf.Variable> = {};
      if (shared) return projections[0]?.variables('projection') ?? {};
      projections.forEach((p, i) => {
        if (p) Object.assign(out, p.variables(`projection${i}`));
      });
      return out;
    },
    dispose() {
      release();
      pairs = [];
      shapes = [];
      prepared = false;
    },
  };
  return loss;
}

export const tinyBertHiddenDefinition: LossDefinition<TinyBertHiddenOptions> = {
  kind: 'loss',
  name: 'tinybert-hidden',
  summary: "TinyBERT hidden-state distillation: MSE between projected student layers and mapped teacher layers, over real tokens",
  knowledge: 'feature',
  reference: jiao2020,
  defaults: TINYBERT_HIDDEN_DEFAULTS,
  create: (options) => tinyBertHiddenLoss(options),
};
