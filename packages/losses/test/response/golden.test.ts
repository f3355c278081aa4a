import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeLoss, StepContext } from '@distillery/core';
import {
  bdkdLoss,
  continuationKd,
  ctkdLoss,
  dkdLoss,
  jsDivergence,
  lsrLoss,
  nkdLoss,
  reverseKl,
  tfKdVirtual,
  tfNkdLoss,
} from '../../src/index.js';
import type { RampKind, VirtualTeacherSoftening } from '../../src/index.js';

// Reference numbers from fixtures/make_golden.py (float64 NumPy transcriptions of the papers' code).
interface ResponseGolden {
  readonly reverseKl: ReadonlyArray<{ temperature: number; scaleByT2: boolean; value: number }>;
  readonly js: ReadonlyArray<{ temperature: number; value: number }>;
  readonly bdkd: ReadonlyArray<{ temperature: number; emphasisWeight: number; baseWeight: number; value: number }>;
  readonly lsr: number;
  readonly tfKdVirtual: ReadonlyArray<{ correctProbability: number; temperature: number; softening: VirtualTeacherSoftening; value: number }>;
  readonly ctkd: ReadonlyArray<{ initialTemperature: number; value: number }>;
  readonly dkd: ReadonlyArray<{ alpha: number; beta: number; temperature: number; tckd: number; nckd: number }>;
  readonly nkd: ReadonlyArray<{ temperature: number; gamma: number; target: number; nonTarget: number }>;
  readonly tfNkd: ReadonlyArray<{ alpha: number; beta: number; target: number; nonTarget: number }>;
  readonly continuationKd: ReadonlyArray<{ schedule: RampKind; fraction: number; temperature: number; weight: number; value: number }>;
}
interface GoldenCase {
  readonly student: number[][];
  readonly teacher: number[][];
  readonly labels: number[];
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/golden.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
  response: ResponseGolden[];
};

/** float32 arithmetic against a float64 reference: 2e-5 relative, or absolute below 1 */
function expectClose(actual: number, expected: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(expected)));
}

function contextOf(c: GoldenCase, fraction = 1): StepContext {
  return {
    student: { logits: tf.tensor2d(c.student), features: {} },
    teacher: { logits: tf.tensor2d(c.teacher), features: {} },
    labels: tf.tensor1d(c.labels, 'int32'),
    indices: tf.tensor1d(c.labels.map((_, i) => i), 'int32'),
    numClasses: (c.student[0] as number[]).length,
    progress: { epoch: 0, step: 0, fraction },
  };
}

function release(context: StepContext): void {
  tf.dispose([context.student.logits, context.teacher?.logits, context.labels, context.indices]);
}

/** every term of one compute call, prepared like a scheme would */
function terms(loss: KnowledgeLoss, context: StepContext): Record<string, number> {
  loss.prepare?.({ numClasses: context.numClasses, datasetSize: 100, teacherAccess: 'white-box', studentFeatureShapes: {}, teacherFeatureShapes: {}, seed: 0 });
  try {
    return tf.tidy(() => Object.fromEntries(Object.entries(loss.compute(context)).map(([k, v]) => [k, v.dataSync()[0] as number])));
  } finally {
    loss.dispose?.();
  }
}

describe('response losses match NumPy golden values', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has a response section for every case', () => {
    expect(golden.response.length).toBe(golden.cases.length);
  });

  golden.cases.forEach((c, index) => {
    const g = golden.response[index] as ResponseGolden;
    const shape = `case ${index}, ${c.student.length}x${(c.student[0] as number[]).length}`;

    it(`reverse-kl, js, bdkd and lsr (${shape})`, () => {
      const context = contextOf(c);
      for (const r of g.reverseKl) {
        expectClose(terms(reverseKl({ temperature: r.temperature, scaleByT2: r.scaleByT2 }), context).reverseKl as number, r.value, `reverse-kl ${JSON.stringify(r)}`);
      }
      for (const r of g.js) expectClose(terms(jsDivergence({ temperature: r.temperature }), context).js as number, r.value, `js T=${r.temperature}`);
      for (const r of g.bdkd) {
        const loss = bdkdLoss({ temperature: r.temperature, emphasisWeight: r.emphasisWeight, baseWeight: r.baseWeight });
        expectClose(terms(loss, context).bdkd as number, r.value, `bdkd ${JSON.stringify(r)}`);
      }
      expectClose(terms(lsrLoss(), context).lsr as number, g.lsr, 'lsr');
      release(context);
    });

    it(`dkd, nkd and tf-nkd (${shape})`, () => {
      const context = contextOf(c);
      for (const r of g.dkd) {
        const t = terms(dkdLoss({ alpha: r.alpha, beta: r.beta, temperature: r.temperature, warmupFraction: 0 }), context);
        expectClose(t.tckd as number, r.tckd, `tckd ${JSON.stringify(r)}`);
        expectClose(t.nckd as number, r.nckd, `nckd ${JSON.stringify(r)}`);
      }
      for (const r of g.nkd) {
        const t = terms(nkdLoss({ temperature: r.temperature, gamma: r.gamma }), context);
        expectClose(t.nkdTarget as number, r.target, `nkd target ${JSON.stringify(r)}`);
        expectClose(t.nkdNonTarget as number, r.nonTarget, `nkd non-target ${JSON.stringify(r)}`);
      }
      for (const r of g.tfNkd) {
        const t = terms(tfNkdLoss({ alpha: r.alpha, beta: r.beta }), context);
        expectClose(t.tfNkdTarget as number, r.target, `tf-nkd target ${JSON.stringify(r)}`);
        expectClose(t.tfNkdNonTarget as number, r.nonTarget, `tf-nkd non-target ${JSON.stringify(r)}`);
      }
      release(context);
    });

    it(`tf-kd-virtual and ctkd at its initial temperature (${shape})`, () => {
      const context = contextOf(c);
      for (const r of g.tfKdVirtual) {
        const loss = tfKdVirtual({ correctProbability: r.correctProbability, temperature: r.temperature, softening: r.softening });
        expectClose(terms(loss, context).tfKd as number, r.value, `tf-kd-virtual ${JSON.stringify(r)}`);
      }
      for (const r of g.ctkd) {
        expectClose(terms(ctkdLoss({ initialTemperature: r.initialTemperature }), context).ctkd as number, r.value, `ctkd ${r.initialTemperature}`);
      }
      release(context);
    });

    it(`continuation-kd along each schedule (${shape})`, () => {
      for (const r of g.continuationKd) {
        const context = contextOf(c, r.fraction);
        const loss = continuationKd({ schedule: r.schedule, startTemperature: 10, endTemperature: 4, startWeight: 0.5, endWeight: 1 });
        expect(loss.at(r.fraction).temperature).toBeCloseTo(r.temperature, 12);
        expect(loss.at(r.fraction).weight).toBeCloseTo(r.weight, 12);
        expectClose(terms(loss, context).continuationKd as number, r.value, `continuation-kd ${r.schedule} at ${r.fraction}`);
        release(context);
      }
    });
  });
});
