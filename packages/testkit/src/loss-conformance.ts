import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeLoss, LossSetup, StepContext } from '@distillery/core';
import { useBackend } from './backend.js';
import { thrownCode } from './expect-error.js';
import { checkLossGradients } from './gradient-check.js';
import type { GradientCheckOptions } from './gradient-check.js';
import { countLeakedTensors } from './leaks.js';
import { disposeStepContext } from './step-context.js';
import type { SyntheticStep } from './step-context.js';

export interface AnalyticCase {
  readonly name: string;
  /** a factory is preferred: the suite disposes the context's tensors after the case */
  readonly context: StepContext | (() => StepContext);
  /** expected value of each listed term (terms not listed are not checked) */
  readonly expected: Readonly<Record<string, number>>;
  /** a differently configured loss for this case; defaults to the suite's `create` */
  readonly create?: () => KnowledgeLoss;
  /** |actual - expected| <= tolerance * max(1, |expected|); default 1e-5 */
  readonly tolerance?: number;
}

export interface LossConformanceOptions {
  readonly create: () => KnowledgeLoss;
  /** a valid context and setup for the loss (see makeStepContext) */
  readonly makeContext: () => SyntheticStep;
  readonly analyticCases?: readonly AnalyticCase[];
  /** false for losses that are not differentiable by design (sampling); defaults otherwise */
  readonly gradientCheck?: GradientCheckOptions | false;
  /** compute calls in the leak check (default 50) */
  readonly leakIterations?: number;
  /** default 'cpu' */
  readonly backend?: string;
}

interface Prepared {
  readonly loss: KnowledgeLoss;
  readonly context: StepContext;
  readonly setup: LossSetup;
}

/** Runs `body` with a fresh, prepared loss and context, and releases both afterwards. */
function withPreparedLoss<T>(options: LossConformanceOptions, body: (prepared: Prepared) => T): T {
  const { context, setup } = options.makeContext();
  const loss = options.create();
  try {
    loss.prepare?.(setup);
    return body({ loss, context, setup });
  } finally {
    loss.dispose?.();
    disposeStepContext(context);
  }
}

/** Which declared requirement a setup violates, and the error code prepare must then throw. */
function violations(loss: KnowledgeLoss, setup: LossSetup): Array<{ what: string; setup: LossSetup; code: string }> {
  const r = loss.requires;
  const out: Array<{ what: string; setup: LossSetup; code: string }> = [];
  for (const feature of r.studentFeatures ?? []) {
    const shapes = Object.fromEntries(Object.entries(setup.studentFeatureShapes).filter(([n]) => n !== feature));
    out.push({ what: `student feature "${feature}" missing`, setup: { ...setup, studentFeatureShapes: shapes }, code: 'FEATURE_MISSING' });
  }
  for (const feature of r.teacherFeatures ?? []) {
    const shapes = Object.fromEntries(Object.entries(setup.teacherFeatureShapes).filter(([n]) => n !== feature));
    out.push({ what: `teacher feature "${feature}" missing`, setup: { ...setup, teacherFeatureShapes: shapes }, code: 'FEATURE_MISSING' });
  }
  if (r.teacher === 'white-box') {
    out.push({ what: 'black-box teacher', setup: { ...setup, teacherAccess: 'black-box' }, code: 'TEACHER_ACCESS' });
  }
  if (r.minClasses !== undefined) {
    out.push({ what: `${r.minClasses - 1} classes`, setup: { ...setup, numClasses: r.minClasses - 1 }, code: 'CONFIG_INVALID' });
  }
  if (r.sampleIndices) {
    out.push({ what: 'dataset size 0', setup: { ...setup, datasetSize: 0 }, code: 'CONFIG_INVALID' });
  }
  return out;
}

/**
 * Registers vitest tests every KnowledgeLoss should pass: finite scalar terms, analytic values,
 * gradients against finite differences, requirements enforced in `prepare` with typed errors, no
 * tensor leaks, and `dispose` releasing what the loss made.
 */
export function describeLossConformance(name: string, options: LossConformanceOptions): void {
  describe(`loss conformance: ${name}`, () => {
    beforeAll(() => useBackend(options.backend ?? 'cpu'));

    it('has a name and a valid teacher requirement', () => {
      const loss = options.create();
      try {
        expect(loss.name).toMatch(/\S/);
        expect(['none', 'any', 'white-box']).toContain(loss.requires.teacher);
      } finally {
        loss.dispose?.();
      }
    });

    it('accepts the valid setup and returns finite float32 scalar terms', () => {
      withPreparedLoss(options, ({ loss, context }) => {
        const summary = tf.tidy(() =>
          Object.entries(loss.compute(context)).map(([term, t]) => ({ term, rank: t.rank, dtype: t.dtype, finite: Number.isFinite(t.dataSync()[0]) })),
        );
        expect(summary.length).toBeGreaterThan(0);
        for (const s of summary) expect(s).toEqual({ term: s.term, rank: 0, dtype: 'float32', finite: true });
      });
    });

    for (const analytic of options.analyticCases ?? []) {
      it(`matches the analytic value: ${analytic.name}`, () => {
        const { setup } = (() => {
          const made = options.makeContext();
          disposeStepContext(made.context);
          return made;
        })();
        const context = typeof analytic.context === 'function' ? analytic.context() : analytic.context;
        const loss = (analytic.create ?? options.create)();
        try {
          loss.prepare?.({ ...setup, numClasses: context.numClasses });
          const values = tf.tidy(() => {
            const terms = loss.compute(context);
            return Object.fromEntries(Object.keys(analytic.expected).map((term) => [term, terms[term]?.dataSync()[0]]));
          });
          const tolerance = analytic.tolerance ?? 1e-5;
          for (const [term, expected] of Object.entries(analytic.expected)) {
            const actual = values[term];
            expect(actual, `term "${term}"`).toBeTypeOf('number');
            expect(Math.abs((actual as number) - expected), `term "${term}": ${actual} vs ${expected}`).toBeLessThanOrEqual(
              tolerance * Math.max(1, Math.abs(expected)),
            );
          }
        } finally {
          loss.dispose?.();
          disposeStepContext(context);
        }
      });
    }

    if (options.gradientCheck !== false) {
      const gradientOptions = options.gradientCheck ?? {};
      it('has gradients that match central finite differences', () => {
        withPreparedLoss(options, ({ loss, context }) => {
          const report = checkLossGradients(loss, context, gradientOptions);
          expect(report.checked).toBeGreaterThan(0);
          expect(report.mismatches).toEqual([]);
        });
      });
    }

    it('enforces its declared requirements in prepare with typed errors', (ctx) => {
      const { context, setup } = options.makeContext();
      disposeStepContext(context);
      const probe = options.create();
      const cases = violations(probe, setup);
      probe.dispose?.();
      if (cases.length === 0) ctx.skip('the loss declares no requirement a setup can violate');
      for (const violation of cases) {
        const loss = options.create();
        try {
          expect(thrownCode(() => loss.prepare?.(violation.setup)), violation.what).toBe(violation.code);
        } finally {
          loss.dispose?.();
        }
      }
    });

    it(`leaks no tensors over ${options.leakIterations ?? 50} compute calls in tf.tidy`, () => {
      withPreparedLoss(options, ({ loss, context }) => {
        const leaked = countLeakedTensors(() => {
          loss.compute(context);
          loss.afterStep?.(context);
        }, options.leakIterations ?? 50);
        expect(leaked).toBe(0);
      });
    });

    it('releases everything it made on dispose', () => {
      const { context, setup } = options.makeContext();
      try {
        const before = tf.memory().numTensors;
        const loss = options.create();
        loss.prepare?.(setup);
        tf.tidy(() => {
          loss.compute(context);
        });
        loss.dispose?.();
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        disposeStepContext(context);
      }
    });
  });
}
