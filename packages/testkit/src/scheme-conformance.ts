import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';
import { meanOf, runSchemeConformance } from './scheme-run.js';
import type { SchemeRunOptions, SchemeRunReport } from './scheme-run.js';

export interface SchemeConformanceOptions extends SchemeRunOptions {
  /** default 'cpu' */
  readonly backend?: string;
  /** largest |logit difference| / max(1, max |logit|) allowed after one further step on the restored
   *  instance (default 1e-5): Adam recomputes beta^t with pow() on restore where the original multiplied
   *  step by step, so the two runs may differ in the last float32 bits */
  readonly afterStepTolerance?: number;
}

/**
 * Registers vitest tests every Scheme should pass. One training run (in beforeAll) feeds all of them:
 * finite terms with a `total`, no tensor growth after warm-up, frozen variables untouched, a falling
 * total on a tiny problem, and trackables that round-trip into a fresh instance.
 */
export function describeSchemeConformance(name: string, options: SchemeConformanceOptions): void {
  describe(`scheme conformance: ${name}`, () => {
    let report: SchemeRunReport;
    beforeAll(async () => {
      await useBackend(options.backend ?? 'cpu');
      report = await runSchemeConformance(options);
    });

    it('returns finite scalar terms including total at every step', () => {
      expect(report.termNames).toContain('total');
      expect(report.totals.length).toBe(report.steps);
      expect(report.nonScalar).toEqual([]);
      expect(report.nonFinite).toEqual([]);
    });

    it('does not grow the tensor count after warm-up', () => {
      expect(report.warmupSteps, 'warm-up must leave steps to watch; raise steps').toBeLessThan(report.steps - 1);
      const watched = report.tensorCounts.slice(report.warmupSteps - 1);
      const first = watched[0] as number;
      expect({ growth: Math.max(...watched) - first, last: (watched.at(-1) as number) - first }).toEqual({ growth: 0, last: 0 });
    });

    it('leaves frozen variables byte-identical', (ctx) => {
      if (report.frozenCount === 0) ctx.skip('the fixture lists no frozen variables');
      expect(report.frozenChanged).toEqual([]);
    });

    it('lowers the total loss on a tiny problem (mean of the last 10 steps < first 10)', () => {
      expect(report.totals.length).toBeGreaterThanOrEqual(20);
      expect(meanOf(report.totals.slice(-10))).toBeLessThan(meanOf(report.totals.slice(0, 10)));
    });

    it('evaluates a primary model with the dataset\'s class count', () => {
      expect(report.primaryName).toBeTypeOf('string');
      expect(report.primaryClasses).toBe(report.datasetClasses);
    });

    it('names its trackables identically in a fresh instance', () => {
      expect(report.variableNames.length).toBeGreaterThan(0);
      expect(report.optimizerNames.length).toBeGreaterThan(0);
      expect([...report.restoredVariableNames].sort()).toEqual([...report.variableNames].sort());
      expect([...report.restoredOptimizerNames].sort()).toEqual([...report.optimizerNames].sort());
    });

    it('reproduces the primary model\'s predictions exactly after restoring trackables', () => {
      expect(report.restoreMaxDifference).toBe(0);
    });

    if (options.compareAfterStep ?? true) {
      it('continues training identically after restoring (optimiser state round-trips)', () => {
        expect(report.afterStepMaxDifference).toBeTypeOf('number');
        const relative = (report.afterStepMaxDifference as number) / Math.max(1, report.logitScale);
        expect(relative).toBeLessThanOrEqual(options.afterStepTolerance ?? 1e-5);
      });
    }
  });
}
