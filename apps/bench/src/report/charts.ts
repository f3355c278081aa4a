import type { TopLevelSpec } from 'vega-lite';
import type { RowSummary } from './summary.js';

/**
 * The report's charts as Vega-Lite specifications. Every data-carrying layer has a name; Vega puts
 * `<name>_marks` in the class of its SVG group, which is how tests count the marks drawn.
 */
export interface ChartSpec {
  /** file name (without .svg) and HTML id suffix */
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const WIDTH = 480;
const HEIGHT = 260;
const CONFIG = { font: 'sans-serif', axis: { labelLimit: 220 }, legend: { labelLimit: 260 } } as const;
const ROLE_DOMAIN = ['teacher', 'student-alone', 'distilled'];
const ROLE_RANGE = ['#4c78a8', '#9d9d9d', '#f58518'];

const trained = (rows: readonly RowSummary[]): RowSummary[] => rows.filter((r) => r.seedsDone > 0);

/** One category per row, in row order: the x axis of the per-method charts. */
const LABEL_X = { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } } as const;
const ROLE_COLOR = { field: 'role', type: 'nominal', scale: { domain: ROLE_DOMAIN, range: ROLE_RANGE }, title: 'role' } as const;

type Layers = Extract<TopLevelSpec, { layer: unknown }>['layer'];

/** A single-panel chart of the report's size and look, drawing `layer` over `values`. */
function layered(values: object[], layer: Layers): TopLevelSpec {
  return { width: WIDTH, height: HEIGHT, config: CONFIG, data: { values }, layer };
}

/** Error bars from `lo` to `hi` per row label. */
function labelErrorBars(name: string): Layers[number] {
  return { name, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: LABEL_X, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } };
}

function accuracyChart(rows: readonly RowSummary[]): ChartSpec {
  const values = trained(rows).map((r) => ({ label: r.label, role: r.role, mean: r.accuracy.mean, lo: r.accuracy.mean - r.accuracy.std, hi: r.accuracy.mean + r.accuracy.std }));
  return {
    name: 'accuracy',
    title: 'Test accuracy per method',
    caption: 'Last-epoch test accuracy, mean over seeds (dots); error bars are ± one standard deviation.',
    spec: layered(values, [
      labelErrorBars('accuracy_err'),
      {
        name: 'accuracy_point',
        mark: { type: 'point', filled: true, size: 90 },
        encoding: { x: LABEL_X, y: { field: 'mean', type: 'quantitative', title: 'test accuracy %', scale: { zero: false } }, color: ROLE_COLOR },
      },
    ]),
  };
}

function curvesChart(rows: readonly RowSummary[]): ChartSpec {
  const values = trained(rows).flatMap((r) => r.curve.map((p) => ({ label: r.label, epoch: p.epoch, accuracy: p.accuracy.mean })));
  const encoding = {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
    y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy %', scale: { zero: false } },
    color: { field: 'label', type: 'nominal', sort: null, title: 'method' },
  } as const;
  return {
    name: 'learning-curves',
    title: 'Learning curves',
    caption: 'Test accuracy after each epoch, mean over seeds.',
    spec: layered(values, [
      { name: 'curve_line', mark: { type: 'line' }, encoding },
      { name: 'curve_point', mark: { type: 'point', filled: true, size: 30 }, encoding },
    ]),
  };
}

function reliabilityChart(rows: readonly RowSummary[]): ChartSpec {
  const values = trained(rows).flatMap((r) =>
    r.reliability.filter((b) => b.count > 0).map((b) => ({ label: r.label, lower: b.lower, upper: b.upper, base: 0, accuracy: b.accuracy, confidence: b.confidence, count: b.count })),
  );
  const order = [...new Set(values.map((v) => v.label))];
  return {
    name: 'reliability',
    title: 'Reliability diagrams',
    caption: 'Accuracy per confidence bin (15 equal-width bins, seeds pooled; empty bins left out); the line is perfect calibration.',
    spec: {
      config: CONFIG,
      data: { values },
      facet: { field: 'label', type: 'nominal', sort: order, title: null },
      columns: 3,
      spec: {
        width: 170,
        height: 150,
        layer: [
          {
            name: 'reliability_bar',
            mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5, color: '#4c78a8' },
            encoding: {
              x: { field: 'lower', type: 'quantitative', scale: { domain: [0, 1] }, title: 'confidence' },
              x2: { field: 'upper' },
              y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy' },
              y2: { field: 'base' },
            },
          },
          {
            name: 'reliability_diagonal',
            mark: { type: 'line', color: '#e45756', strokeDash: [4, 3] },
            encoding: { x: { field: 'confidence', type: 'quantitative' }, y: { field: 'confidence', type: 'quantitative' } },
          },
        ],
      },
    },
  };
}

function sizeChart(rows: readonly RowSummary[]): ChartSpec {
  const values = trained(rows)
    .filter((r) => r.variant === 'plain')
    .map((r) => ({ label: r.label, series: r.series, params: r.params + r.extraParams, mean: r.accuracy.mean, lo: r.accuracy.mean - r.accuracy.std, hi: r.accuracy.mean + r.accuracy.std }));
  const x = { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'trainable parameters (log scale)' } as const;
  return {
    name: 'size',
    title: 'Accuracy vs model size',
    caption: 'Mean test accuracy against trainable parameters (model + method extras), ± one standard deviation.',
    spec: layered(values, [
      { name: 'size_err', mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal' } } },
      {
        name: 'size_point',
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'test accuracy %', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: 'method' },
          tooltip: [{ field: 'label' }, { field: 'params' }, { field: 'mean', format: '.2f' }],
        },
      },
    ]),
  };
}

function timeChart(rows: readonly RowSummary[]): ChartSpec {
  const values = trained(rows)
    .filter((r) => r.variant === 'plain')
    .map((r) => ({ label: r.label, role: r.role, mean: r.trainSeconds.mean, lo: Math.max(0, r.trainSeconds.mean - r.trainSeconds.std), hi: r.trainSeconds.mean + r.trainSeconds.std }));
  return {
    name: 'time',
    title: 'Training time per method',
    caption: 'Training seconds per run (evaluation excluded), mean over seeds, ± one standard deviation.',
    spec: layered(values, [
      { name: 'time_bar', mark: { type: 'bar' }, encoding: { x: LABEL_X, y: { field: 'mean', type: 'quantitative', title: 'train seconds' }, color: ROLE_COLOR } },
      labelErrorBars('time_err'),
    ]),
  };
}

/** Every chart of the report, in page order. */
export function reportCharts(rows: readonly RowSummary[]): ChartSpec[] {
  return [accuracyChart(rows), curvesChart(rows), reliabilityChart(rows), sizeChart(rows), timeChart(rows)];
}
