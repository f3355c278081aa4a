import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRegistry } from '../src/registry.js';
import { loadSuite, validateSuite } from '../src/suites/load-suite.js';
import { SuiteValidationError, type SuiteIssue } from '../src/suites/suite-error.js';
import { familiesSuiteYaml } from './helpers/families-suite.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

const registry = createRegistry();
type Raw = Record<string, unknown>;
type Row = Record<string, unknown>;
const families = (): Raw => parse(familiesSuiteYaml()) as Raw;
const methodsOf = (raw: Raw): Row[] => raw['methods'] as Row[];
const row = (raw: Raw, id: string): Row => methodsOf(raw).find((m) => m['id'] === id)!;

function issuesOf(raw: unknown): SuiteIssue[] {
  try {
    validateSuite(raw, registry, 'test.yaml');
  } catch (error) {
    if (error instanceof SuiteValidationError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('cohorts, several teachers, chains and output rows', () => {
  it('resolves teachers (teacher and method rows, black-box flags), peers, inits and output rows in report order', () => {
    const suite = validateSuite(families(), registry, 'families.yaml');
    const byId = new Map(suite.rows.map((r) => [r.id, r]));
    expect(suite.rows.map((r) => [r.id, r.kind, r.role])).toEqual([
      ['teacher', 'teacher', 'teacher'],
      ['second teacher', 'teacher', 'teacher'],
      ['alone', 'method', 'student-alone'],
      ['plain', 'method', 'student-alone'],
      ['KD', 'method', 'distilled'],
      ['assistant', 'method', 'distilled'],
      ['TAKD', 'method', 'distilled'],
      ['DML', 'method', 'distilled'],
      ['DML peer 16', 'output', 'distilled'],
      ['BYOT', 'method', 'distilled'],
      ['BYOT [head:hidden1]', 'output', 'distilled'],
      ['BYOT ensemble', 'output', 'distilled'],
      ['generation 1', 'method', 'distilled'],
      ['multi', 'method', 'distilled'],
      ['BD-KD online', 'method', 'distilled'],
      ['BD-KD online teacher', 'output', 'distilled'],
    ]);
    expect(byId.get('multi')?.teachers).toEqual([
      { group: '', id: 'teacher', blackBox: false },
      { group: '', id: 'second teacher', blackBox: true },
    ]);
    expect(byId.get('TAKD')?.teachers).toEqual([{ group: '', id: 'assistant', blackBox: false }]);
    expect(byId.get('DML')?.peers).toEqual([{ modelName: 'mid', model: { type: 'mlp', hidden: [16] } }]);
    expect([byId.get('generation 1')?.init, byId.get('plain')?.init]).toEqual([1, 0]);
    expect(byId.get('DML peer 16')?.output).toEqual({ of: { group: '', id: 'DML' }, model: 'peer1' });
    expect(byId.get('DML peer 16')?.series).toBe('dml [peer1]');
    expect(byId.get('multi')?.series).toBe('multi-teacher');
  });

  it('ships the four family suites with the rows the issues ask for', () => {
    const mutual = loadSuite('mutual', registry);
    expect(mutual.rows.filter((r) => r.kind === 'output').map((r) => r.output?.model)).toEqual(['peer1', 'peer1', 'ensemble', 'teacher', 'peer']);
    const self = loadSuite('self', registry);
    expect(self.rows.find((r) => r.id === 'born-again: generation 2')?.teacher).toEqual({ group: '', id: 'born-again: generation 1' });
    expect(self.rows.filter((r) => r.output?.of.id === 'BYOT: deepest classifier').map((r) => r.output?.model)).toEqual(['head:hidden1', 'head:hidden2', 'ensemble']);
    const multi = loadSuite('multi-teacher', registry);
    const aggregations = multi.rows.filter((r) => r.method?.scheme === 'multi-teacher').map((r) => r.method?.schemeOptions['aggregation']);
    expect(aggregations).toEqual(['mean-logits', 'mean-kl', 'ca-mkd', 'ca-mkd', 'random']);
    expect(multi.rows.filter((r) => r.teachers.some((t) => t.blackBox)).length).toBe(6);
    const ta = loadSuite('teacher-assistant', registry);
    expect(ta.rows.find((r) => r.id === 'TAKD: teacher -> 784-256 -> 784-64 -> 784-30')?.teacher?.id).toBe('assistant 784-64 (KD from 784-256)');
  });

  it('rejects both teacher and teachers, unknown ids, a row teaching itself and cycles, each at its path', () => {
    const raw = families();
    row(raw, 'KD')['teachers'] = ['teacher'];
    expect(issuesOf(raw)).toEqual([expect.objectContaining({ path: 'methods[1].teachers', message: 'give teacher or teachers, not both' })]);

    const unknown = families();
    row(unknown, 'multi')['teachers'] = ['teacher', { id: 'nobody', blackBox: true }];
    row(unknown, 'TAKD')['teacher'] = 'TAKD';
    const issues = issuesOf(unknown);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'methods[8].teachers[1]', message: expect.stringMatching(/^no teacher or method row with id "nobody" \(known: teacher, second teacher, alone, /) as string },
        { path: 'methods[7].teacher', message: 'row "TAKD" cannot learn from itself' },
      ]),
    );

    const cycle = families();
    row(cycle, 'assistant')['teacher'] = 'TAKD';
    expect(issuesOf(cycle)).toEqual([{ path: 'methods[6]', message: 'teachers form a cycle (assistant -> TAKD -> assistant): a chain must start from a row trained without them' }]);

    const badFlag = families();
    row(badFlag, 'multi')['teachers'] = [{ id: 'teacher', blackBox: 'yes' }];
    expect(issuesOf(badFlag).map((i) => i.path)).toEqual(['methods[8].teachers[0]']);
  });

  it('rejects malformed cohorts: unknown peers, peers of another view, peers on the offline scheme, a cohort of one', () => {
    const raw = families();
    (raw['models'] as Record<string, unknown>)['lenet'] = { type: 'lenet5', variant: 'half-dafl' };
    row(raw, 'DML')['peers'] = ['pupil', 'lenet'];
    row(raw, 'alone')['peers'] = ['mid'];
    const byPath = new Map(issuesOf(raw).map((i) => [i.path, i.message]));
    expect(byPath.get('methods[2].peers[0]')).toMatch(/no model named "pupil"/);
    expect(byPath.get('methods[2].peers[1]')).toBe('peer "lenet" sees view padded32 but the student sees flattened: a cohort trains on the same batches');
    expect(byPath.get('methods[0].peers')).toMatch(/^the offline scheme trains one student/);

    const lonely = families();
    delete row(lonely, 'DML')['peers'];
    delete row(lonely, 'DML')['outputs'];
    row(lonely, 'DML')['schemeOptions'] = { cohortSize: 1 };
    expect(issuesOf(lonely)).toEqual([{ path: 'methods[2]', message: expect.stringMatching(/^scheme "dml" cannot be built for this row: dml: cohortSize must be an integer >= 2, got 1/) as string }]);
  });

  it('builds each scheme once to catch its own complaints: no teachers, a teacher it refuses, a bad option value', () => {
    const raw = families();
    delete row(raw, 'multi')['teachers'];
    row(raw, 'BYOT')['teacher'] = 'teacher';
    row(raw, 'generation 1')['schemeOptions'] = { temperature: -2 };
    const issues = issuesOf(raw);
    expect(issues.map((i) => i.path)).toEqual(['methods[3]', 'methods[5]', 'methods[8]']);
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    expect(byPath.get('methods[3]')).toMatch(/^scheme "byot" cannot be built for this row: byot is teacher-free but 1 teacher\(s\) were given/);
    expect(byPath.get('methods[5]')).toMatch(/^scheme "born-again" cannot be built for this row: .*temperature/);
    expect(byPath.get('methods[8]')).toMatch(/^scheme "multi-teacher" cannot be built for this row: .*teacher/);
  });

  it('rejects duplicate output ids and keeps teacher-free suites valid without a teacher or KD row', () => {
    const raw = families();
    row(raw, 'DML')['outputs'] = [{ model: 'peer1', id: 'KD' }];
    expect(issuesOf(raw)).toEqual([{ path: 'methods[2].outputs[0].id', message: '"KD" is used twice' }]);

    const teacherFree = parse(tinySuiteYaml()) as Raw;
    teacherFree['teachers'] = [];
    teacherFree['methods'] = [{ id: 'student alone', student: 'student' }, { id: 'virtual teacher', student: 'student', scheme: 'tf-virtual' }];
    expect(issuesOf(teacherFree)).toEqual([]);
    // a group with a teacher still needs its vanilla KD row
    const noKd = parse(tinySuiteYaml()) as Raw;
    noKd['methods'] = [(noKd['methods'] as unknown[])[0]];
    expect(issuesOf(noKd)).toEqual([{ path: 'methods', message: 'the suite has a teacher but no vanilla KD row (scheme offline, one teacher, losses: [{ name: kd }])' }]);
  });
});
