import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../src/registry.js';
import { loadSuite, parseSuiteText, validateSuite } from '../src/suites/load-suite.js';
import { shippedSuiteNames } from '../src/suites/shipped.js';
import { SuiteValidationError, type SuiteIssue } from '../src/suites/suite-error.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

const registry = createRegistry();
const tiny = (): Record<string, unknown> => parse(tinySuiteYaml()) as Record<string, unknown>;

function issuesOf(raw: unknown, quick = false): SuiteIssue[] {
  try {
    validateSuite(raw, registry, 'test.yaml', quick);
  } catch (error) {
    if (error instanceof SuiteValidationError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('suite schema', () => {
  it('accepts the tiny suite and resolves roles, views, teachers and defaults', () => {
    const suite = validateSuite(tiny(), registry, 'tiny.yaml');
    expect(suite.rows.map((r) => [r.id, r.role, r.series, r.view, r.epochs])).toEqual([
      ['teacher', 'teacher', 'teacher', 'flattened', 1],
      ['student alone', 'student-alone', 'student alone', 'flattened', 1],
      ['KD', 'distilled', 'kd', 'flattened', 1],
    ]);
    // the KD row gets the group's only teacher; losses get weight 1 by default
    expect(suite.rows[2]?.teacher).toEqual({ group: '', id: 'teacher' });
    expect(suite.rows[2]?.method?.losses).toEqual([{ name: 'kd', options: { temperature: 4 }, weight: 1 }]);
    expect(suite.rows[0]?.data).toEqual({ trainLimit: 1200 });
  });

  it('reports each problem with its path', () => {
    const raw = tiny();
    raw['seeds'] = [1, 'two'];
    raw['batchSize'] = 0;
    (raw['dataset'] as Record<string, unknown>)['trainLimt'] = 5;
    (raw['models'] as Record<string, Record<string, unknown>>)['student']!['dropout'] = 1.5;
    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'seeds[1]' }),
        expect.objectContaining({ path: 'batchSize' }),
        expect.objectContaining({ path: 'dataset', message: expect.stringContaining('trainLimt') as string }),
        expect.objectContaining({ path: 'models.student.dropout' }),
      ]),
    );
  });

  it('checks registry names, loss options and cross-references', () => {
    const raw = tiny();
    const methods = raw['methods'] as Array<Record<string, unknown>>;
    methods[1]!['losses'] = [{ name: 'kd', options: { temperature: -1 } }, { name: 'kdd' }];
    methods[1]!['scheme'] = 'offline';
    methods[1]!['schemeOptions'] = { momentum: 3 };
    methods[0]!['student'] = 'pupil';
    (raw['teachers'] as Array<Record<string, unknown>>)[0]!['paper'] = { source: 'nobody', errors: 3 };
    const issues = issuesOf(raw);
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    expect(byPath.get('methods[1].losses[0].options')).toMatch(/temperature/);
    expect(byPath.get('methods[1].losses[1].name')).toMatch(/no loss named "kdd".*known: .*kd/);
    expect(byPath.get('methods[1].schemeOptions.momentum')).toMatch(/no option "momentum"/);
    expect(byPath.get('methods[0].student')).toMatch(/no model named "pupil"/);
    expect(byPath.get('teachers[0].paper.source')).toMatch(/"nobody" is not a key of references/);
  });

  it('demands a teacher, a student-alone row and a vanilla KD row in every group', () => {
    const raw = tiny();
    raw['methods'] = [(raw['methods'] as unknown[])[1]];
    expect(issuesOf(raw)).toEqual([{ path: 'methods', message: 'the suite has no "student alone" row (scheme offline, no losses, no teacher)' }]);
  });

  it('rejects views a model cannot take, unknown classes and conflicting subsets', () => {
    const raw = tiny();
    (raw['models'] as Record<string, unknown>)['teacher'] = { type: 'lenet5', view: 'flattened' };
    (raw['methods'] as Array<Record<string, unknown>>)[1]!['data'] = { omitClasses: [3, 12], onlyClasses: [7] };
    const paths = issuesOf(raw).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['models.teacher.view', 'methods[1].data', 'methods[1].data.omitClasses[1]']));
  });

  it('locates YAML syntax errors by line and column', () => {
    expect(() => parseSuiteText('name: x\nseeds: [1, 2\n', 'bad.yaml')).toThrow(SuiteValidationError);
    try {
      parseSuiteText('name: x\nseeds: [1, 2\n', 'bad.yaml');
    } catch (error) {
      expect((error as SuiteValidationError).issues[0]?.path).toMatch(/^line \d+, column \d+$/);
    }
  });

  it('merges the quick block over the suite, rows by group and id', () => {
    const raw = tiny();
    raw['quick'] = { seeds: [7], methods: [{ id: 'KD', epochs: 3 }], models: { student: { hidden: [8] } } };
    const quick = validateSuite(raw, registry, 'tiny.yaml', true);
    expect(quick.spec.name).toBe('tiny-quick');
    expect(quick.spec.seeds).toEqual([7]);
    expect(quick.rows.find((r) => r.id === 'KD')?.epochs).toBe(3);
    expect(quick.rows.find((r) => r.id === 'student alone')?.epochs).toBe(1);
    expect(quick.rows.find((r) => r.id === 'KD')?.model).toEqual({ type: 'mlp', hidden: [8] });
    raw['quick'] = { methods: [{ id: 'nope', epochs: 3 }] };
    expect(issuesOf(raw, true)).toEqual([{ path: 'quick.methods[0]', message: 'names no row of the suite (rows are matched by group and id)' }]);
  });

  it('ships every suite, each with a valid quick variant', () => {
    expect(shippedSuiteNames()).toEqual(['adversarial', 'data-free', 'hinton-mnist', 'lm', 'losses', 'low-label', 'multi-teacher', 'mutual', 'quickstart', 'self', 'teacher-assistant', 'text']);
    for (const name of shippedSuiteNames()) {
      expect(loadSuite(name, registry).spec.name).toBe(name);
      expect(loadSuite(name, registry, { quick: true }).spec.name).toBe(`${name}-quick`);
    }
  });

  it('builds every loss of the losses suite from the registry with its options', () => {
    const { rows } = loadSuite('losses', registry);
    const names = rows.flatMap((r) => r.method?.losses.map((l) => l.name) ?? []);
    expect(names).toEqual(['kd', 'dkd', 'nkd', 'bdkd', 'ctkd', 'fitnets', 'at', 'rkd', 'crd']);
    for (const row of rows) {
      for (const loss of row.method?.losses ?? []) expect(registry.loss(loss.name).create(loss.options ?? {}).name).toBe(loss.name);
    }
  });

  it('ships the quickstart suite: teacher on the full set, students on a 2,000-image transfer set', () => {
    const { spec, rows } = loadSuite('quickstart', registry);
    expect(spec.dataset).toEqual({ name: 'mnist' });
    expect(spec.models).toEqual({ teacher: { type: 'mlp', hidden: [512, 512], dropout: 0.2 }, student: { type: 'mlp', hidden: [100] } });
    expect([spec.seeds, spec.epochs, spec.batchSize, spec.optimizer]).toEqual([[1, 2, 3], { teacher: 2, student: 60 }, 128, { name: 'adam', learningRate: 1e-3 }]);
    expect(rows.map((r) => [r.id, r.role, r.data.trainLimit, r.method?.losses.map((l) => [l.name, l.options]), r.method?.alpha])).toEqual([
      ['teacher', 'teacher', undefined, undefined, undefined],
      ['student alone', 'student-alone', 2000, [], undefined],
      ['KD (T=4)', 'distilled', 2000, [['kd', { temperature: 4 }]], 0.9],
    ]);
  });

  it('resolves the transfer sets and class biases of hinton-mnist and the per-group teachers of low-label', () => {
    const hinton = loadSuite('hinton-mnist', registry);
    const omit3 = hinton.rows.find((r) => r.data.omitClasses);
    expect(omit3?.data.omitClasses).toEqual([3]);
    expect(omit3?.method?.classBias?.offsets).toEqual({ '3': 3.5 });
    expect(hinton.rows.find((r) => r.data.onlyClasses)?.method?.classBias?.offsets).toEqual({ '7': -7.6, '8': -7.6 });
    expect(hinton.rows[0]?.augmentation).toEqual({ jitter: 2 });
    const low = loadSuite('low-label', registry);
    const kd = low.rows.filter((r) => r.id === 'KD (T=3)');
    expect(kd.map((r) => [r.group, r.teacher?.group, r.data.labelsPerClass, r.view])).toEqual([
      ['100 labels', '100 labels', 10, 'flattened'],
      ['1,000 labels', '1,000 labels', 100, 'flattened'],
      ['10,000 labels', '10,000 labels', 1000, 'flattened'],
    ]);
    expect(low.rows.find((r) => r.kind === 'teacher')?.view).toBe('padded32');
  });
});
