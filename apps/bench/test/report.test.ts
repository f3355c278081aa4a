import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSuite } from '../src/plan/plan-suite.js';
import { createRegistry } from '../src/registry.js';
import { reportCharts } from '../src/report/charts.js';
import { formatPaper, markdownTable } from '../src/report/markdown.js';
import { renderSvg, scopeSvgIds } from '../src/report/render-svg.js';
import { meanStd } from '../src/report/stats.js';
import { summariseRows } from '../src/report/summary.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

const suite = validateSuite(parse(tinySuiteYaml({ seeds: [1, 2] })), createRegistry(), 'tiny.yaml');
const plan = planSuite(suite, { artefacts: '/out/tiny' });
const bins = (counts: number[]) => counts.map((count, b) => ({ lower: b / 3, upper: (b + 1) / 3, count, accuracy: count ? 0.5 : 0, confidence: count ? (b + 0.5) / 3 : 0 }));

/** Synthetic records: accuracy 0.9 / 0.8 (teacher), 0.7 / 0.8 (others); 100 test images. */
function fakeRecords(): Map<string, RunRecord> {
  const records = new Map<string, RunRecord>();
  for (const task of plan.tasks) {
    const accuracy = task.rowId === 'teacher' ? (task.config.seed === 1 ? 0.9 : 0.8) : task.config.seed === 1 ? 0.7 : 0.8;
    const metrics = { accuracy, errors: Math.round((1 - accuracy) * 100), nll: 0.5, ece: 0.02 * task.config.seed, count: 100, ...(task.dependsOn ? { agreement: 0.95 } : {}) };
    records.set(task.runId, {
      runId: task.runId,
      row: task.rowId,
      seed: task.config.seed,
      role: task.config.role,
      params: { model: task.rowId === 'teacher' ? 38_170 : 12_730, extra: 0 },
      epochs: [{ epoch: 0, terms: {}, test: { ...metrics, accuracy: accuracy - 0.1 }, trainSeconds: 1, samplesPerSecond: 10 }, { epoch: 1, terms: {}, test: metrics, trainSeconds: 1, samplesPerSecond: 10 }],
      best: { epoch: 1, accuracy, errors: metrics.errors },
      last: metrics,
      reliability: bins(task.config.seed === 1 ? [0, 10, 90] : [5, 0, 95]),
      trainSeconds: task.config.seed * 2,
      wallSeconds: 3,
      samplesPerSecond: 1000,
    } as unknown as RunRecord);
  }
  return records;
}

describe('report', () => {
  it('mean and sample standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(meanStd([7])).toEqual({ mean: 7, std: 0, n: 1 });
    expect(meanStd([]).n).toBe(0);
  });

  it('aggregates rows over seeds, pools reliability bins and averages learning curves', () => {
    const rows = summariseRows(plan, fakeRecords());
    const teacher = rows[0]!;
    expect(teacher.accuracy.mean).toBeCloseTo(85, 10);
    expect(teacher.accuracy.std).toBeCloseTo(Math.sqrt(50), 10);
    expect(teacher.errors).toEqual({ mean: 15, std: Math.sqrt(50), n: 2 });
    expect(teacher.agreement).toBeUndefined();
    expect(rows[2]!.agreement?.mean).toBeCloseTo(95, 10);
    expect(teacher.trainSeconds).toEqual({ mean: 3, std: Math.SQRT2, n: 2 });
    expect(teacher.curve.map((p) => p.epoch)).toEqual([1, 2]);
    expect(teacher.curve[0]!.accuracy.mean).toBeCloseTo(75, 10);
    expect(teacher.curve[1]!.accuracy.mean).toBeCloseTo(85, 10);
    expect(teacher.reliability.map((b) => b.count)).toEqual([5, 10, 185]);
    expect(teacher.reliability[2]!.confidence).toBeCloseTo(2.5 / 3, 10);
  });

  it('prints the table with seeds, params and the paper figure', () => {
    const table = markdownTable(summariseRows(plan, fakeRecords()), suite.spec.references);
    expect(table.split('\n')[2]).toBe('| teacher | 2 | 38,170 | 15.0 ± 7.1 | 85.00 ± 7.07 | 3.00 ± 1.41 | - | 3.0 ± 1.4 | 1000 | 67 errors [Hinton 2015] |');
    expect(formatPaper({ source: 'hinton2015', errorRate: 47.3 }, suite.spec.references)).toBe('47.3 % err [Hinton 2015]');
  });

  it('renders every chart to SVG in Node with one mark per datum', async () => {
    const rows = summariseRows(plan, fakeRecords());
    const svgs = new Map(await Promise.all(reportCharts(rows).map(async (c) => [c.name, await renderSvg(c)] as const)));
    const marks = (svg: string, name: string): number => {
      const start = svg.indexOf(`${name}_marks`);
      if (start < 0) return 0;
      // children of the mark's group: elements up to its closing tag
      const group = svg.slice(svg.indexOf('>', start) + 1, svg.indexOf('</g>', start));
      return (group.match(/<(path|line)\b/g) ?? []).length;
    };
    expect(marks(svgs.get('accuracy')!, 'accuracy_point')).toBe(3);
    expect(marks(svgs.get('accuracy')!, 'accuracy_err')).toBe(3);
    expect(marks(svgs.get('time')!, 'time_bar')).toBe(3);
    expect(marks(svgs.get('size')!, 'size_point')).toBe(3);
    expect(marks(svgs.get('learning-curves')!, 'curve_point')).toBe(6);
    expect((svgs.get('reliability')!.match(/reliability_bar_marks/g) ?? []).length).toBe(3);
    expect(scopeSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', 'size')).toBe('<clipPath id="size-clip1"/><g clip-path="url(#size-clip1)"/>');
  });
});
