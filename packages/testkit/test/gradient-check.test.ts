import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyntheticStep } from '../src/index.js';
import { checkLossGradients, countLeakedTensors, disposeStepContext, makeStepContext, thrownCode, useBackend } from '../src/index.js';
import { toyHintLoss } from './helpers/toy-hint-loss.js';

const shapes = { studentFeatures: { hidden0: [6] }, teacherFeatures: { hidden0: [5] } } as const;

describe('checkLossGradients', () => {
  let step: SyntheticStep;
  beforeAll(() => useBackend('cpu'));
  afterEach(() => disposeStepContext(step.context));

  it('passes a correct loss and probes logits, declared features and owned variables', () => {
    step = makeStepContext({ batch: 3, classes: 4, ...shapes });
    const loss = toyHintLoss();
    loss.prepare?.(step.setup);
    const report = checkLossGradients(loss, step.context);
    loss.dispose?.();
    // 2 terms x (12 logits + 18 feature values + 30 regressor weights)
    expect(report.checked).toBe(2 * (12 + 18 + 30));
    expect(report.mismatches).toEqual([]);
    expect(report.worstRatio).toBeLessThanOrEqual(1);
  });

  it('reports a gradient that is twice the true one, on the features and the variable only', () => {
    step = makeStepContext({ batch: 3, classes: 4, ...shapes });
    const loss = toyHintLoss({ wrongGradient: true });
    loss.prepare?.(step.setup);
    const report = checkLossGradients(loss, step.context);
    loss.dispose?.();
    const inputs = new Set(report.mismatches.map((m) => `${m.term}:${m.input}`));
    expect([...inputs].sort()).toEqual(['hint:student.features.hidden0', 'hint:variables.toy-hint/regressor']);
    for (const m of report.mismatches) {
      if (Math.abs(m.numeric) > 0.05) expect(m.analytic / m.numeric).toBeCloseTo(2, 1);
    }
  });

  it('caps probed coordinates with maxCoordinates', () => {
    step = makeStepContext({ batch: 3, classes: 4, ...shapes });
    const loss = toyHintLoss();
    loss.prepare?.(step.setup);
    const report = checkLossGradients(loss, step.context, { maxCoordinates: 5, variables: false, features: false });
    loss.dispose?.();
    expect(report.checked).toBe(2 * 5);
  });
});

describe('countLeakedTensors and thrownCode', () => {
  let step: SyntheticStep;
  beforeAll(() => useBackend('cpu'));
  afterEach(() => disposeStepContext(step.context));

  it('counts exactly the tensors a leaky compute keeps, and none for a clean one', () => {
    step = makeStepContext({ batch: 2, classes: 3, ...shapes });
    const leaky = toyHintLoss({ leak: true });
    const clean = toyHintLoss();
    leaky.prepare?.(step.setup);
    clean.prepare?.(step.setup);
    const context = step.context;
    expect(countLeakedTensors(() => leaky.compute(context), 20)).toBe(20);
    expect(countLeakedTensors(() => clean.compute(context), 20)).toBe(0);
    leaky.dispose?.();
    clean.dispose?.();
  });

  it('reports the DistilleryError code, or what happened instead', () => {
    step = makeStepContext({ batch: 2, classes: 3, ...shapes });
    const loss = toyHintLoss();
    expect(thrownCode(() => loss.prepare?.({ ...step.setup, teacherAccess: 'black-box' }))).toBe('TEACHER_ACCESS');
    expect(thrownCode(() => loss.prepare?.({ ...step.setup, studentFeatureShapes: {} }))).toBe('FEATURE_MISSING');
    expect(thrownCode(() => undefined)).toBe('nothing thrown');
    expect(thrownCode(() => {
      throw new Error('boom');
    })).toBe('non-Distillery error: Error: boom');
  });
});
