import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSuite } from '../src/plan/plan-suite.js';
import { canonicalJson, runIdOf } from '../src/plan/run-config.js';
import { createRegistry } from '../src/registry.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

const registry = createRegistry();
const plan = (yaml: string) => planSuite(validateSuite(parse(yaml), registry, 'tiny.yaml'), { artefacts: '/out/tiny' });

describe('run plan', () => {
  it('canonical JSON ignores key order and undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: 'z' } })).toBe('{"a":{"c":"z","d":[1,{"y":2}]},"b":1}');
  });

  it('makes one run per row and seed, teachers first, each student depending on its seed teacher', () => {
    const { tasks } = plan(tinySuiteYaml({ seeds: [1, 2] }));
    expect(tasks.map((t) => t.label)).toEqual(['teacher seed 1', 'teacher seed 2', 'student alone seed 1', 'KD seed 1', 'student alone seed 2', 'KD seed 2']);
    const teacher = (seed: number) => tasks.find((t) => t.label === `teacher seed ${seed}`)!;
    expect(tasks.find((t) => t.label === 'KD seed 2')?.dependsOn).toBe(teacher(2).runId);
    expect(tasks.find((t) => t.label === 'KD seed 2')?.teacherFolder).toBe(`/out/tiny/teachers/${teacher(2).runId}`);
    expect(tasks.find((t) => t.label === 'student alone seed 1')?.dependsOn).toBeUndefined();
    expect(new Set(tasks.map((t) => t.runId)).size).toBe(6);
    // model seeds as in the first bench version
    expect([teacher(2).config.modelSeed, tasks[2]!.config.modelSeed]).toEqual([2001, 1002]);
  });

  it('keeps run ids when labels change and changes them when anything that shapes the numbers does', () => {
    const base = plan(tinySuiteYaml()).tasks;
    const relabelled = plan(tinySuiteYaml().replace('id: KD,', 'id: Hinton KD,').replace('description: tiny suite for tests', 'description: other')).tasks;
    expect(relabelled.map((t) => t.runId)).toEqual(base.map((t) => t.runId));
    const hotter = plan(tinySuiteYaml().replace('temperature: 4', 'temperature: 5')).tasks;
    expect(hotter.filter((t, i) => t.runId !== base[i]!.runId).map((t) => t.label)).toEqual(['KD seed 1', 'KD seed 2', 'KD seed 3', 'KD seed 4']);
    // a different teacher changes the teacher runs and, through the teacher's run id, the KD runs
    const wider = plan(tinySuiteYaml().replace('hidden: [48]', 'hidden: [64]')).tasks;
    expect(wider.filter((t, i) => t.runId !== base[i]!.runId).map((t) => t.rowId)).toEqual([...Array(4).fill('teacher'), ...Array(4).fill('KD')]);
    expect(runIdOf(base[0]!.config)).toBe(base[0]!.runId);
  });
});
