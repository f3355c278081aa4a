import { beforeAll, describe, expect, it } from 'vitest';
import { describeSchemeConformance, runSchemeConformance, useBackend } from '../src/index.js';
import { toyFixture } from './helpers/fixtures.js';

// The suite on a conformant toy KD scheme.
describeSchemeConformance('toy-kd', { create: () => toyFixture(), steps: 100 });

// The suite's measurements must expose each fault a scheme can have.
describe('runSchemeConformance detects faults', () => {
  beforeAll(() => useBackend('cpu'));

  it('sees a scheme that also trains the teacher', async () => {
    const report = await runSchemeConformance({ create: () => toyFixture({ trainTeacher: true }), steps: 12, compareAfterStep: false });
    expect(report.frozenCount).toBe(4);
    expect(report.frozenChanged).toEqual([0, 1, 2, 3]);
  });

  it('sees one leaked tensor per step', async () => {
    const report = await runSchemeConformance({ create: () => toyFixture({ leakPerStep: true }), steps: 16, compareAfterStep: false });
    const counts = report.tensorCounts;
    expect((counts.at(-1) as number) - (counts.at(-2) as number)).toBe(1);
    expect((counts.at(-1) as number) - (counts[report.warmupSteps - 1] as number)).toBe(report.steps - report.warmupSteps);
  });

  it('sees optimiser state missing from the trackables', async () => {
    const report = await runSchemeConformance({ create: () => toyFixture({ hideOptimizer: true }), steps: 12 });
    expect(report.optimizerNames).toEqual([]);
    // variables alone restore the predictions, but the next Adam step differs
    expect(report.restoreMaxDifference).toBe(0);
    expect(report.afterStepMaxDifference as number).toBeGreaterThan(1e-4);
  });
});
