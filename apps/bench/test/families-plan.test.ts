import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSuite, type RunTask } from '../src/plan/plan-suite.js';
import { runIdOf } from '../src/plan/run-config.js';
import { createRegistry } from '../src/registry.js';
import type { Executor } from '../src/runner/executor.js';
import { ResultsStore } from '../src/runner/results-store.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { schedule } from '../src/runner/scheduler.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { familiesSuiteYaml } from './helpers/families-suite.js';

const registry = createRegistry();
const planOf = (yaml: string) => planSuite(validateSuite(parse(yaml), registry, 'families.yaml'), { artefacts: '/out/families' });

describe('planning cohorts, several teachers, chains and output rows', () => {
  const { tasks } = planOf(familiesSuiteYaml({ seeds: [1, 2] }));
  const task = (row: string, seed: number): RunTask => tasks.find((t) => t.rowId === row && t.config.seed === seed)!;

  it('makes a run per row and seed, each after every run it needs', () => {
    expect(tasks).toHaveLength(16 * 2);
    const position = new Map(tasks.map((t, i) => [t.runId, i]));
    for (const t of tasks) for (const dependency of t.dependencies) expect(position.get(dependency)).toBeLessThan(position.get(t.runId)!);
    expect(task('multi', 2).dependencies).toEqual([task('teacher', 2).runId, task('second teacher', 2).runId]);
    expect(task('TAKD', 1).dependencies).toEqual([task('assistant', 1).runId]);
    expect(task('assistant', 1).dependencies).toEqual([task('teacher', 1).runId]);
    expect(task('generation 1', 2).dependencies).toEqual([task('plain', 2).runId]);
    expect(task('DML peer 16', 1).dependencies).toEqual([task('DML', 1).runId]);
    expect(task('DML', 1).dependencies).toEqual([]);
    expect(task('multi', 2).dependsOn).toBe(task('teacher', 2).runId);
  });

  it('puts every teacher in the config (run id, model, view, seed, black-box flag) and its folder beside it', () => {
    const multi = task('multi', 1);
    expect(multi.config.teacher).toBeUndefined();
    expect(multi.config.teachers?.map((t) => [t.runId, t.modelSeed, t.blackBox])).toEqual([
      [task('teacher', 1).runId, 1001, undefined],
      [task('second teacher', 1).runId, 1001, true],
    ]);
    expect(multi.teacherFolders).toEqual([`/out/families/teachers/${task('teacher', 1).runId}`, `/out/families/teachers/${task('second teacher', 1).runId}`]);
    // a method row that teaches is saved under models/, and its learner loads it from there
    const assistant = task('assistant', 1);
    expect(assistant.saveFolder).toBe(`/out/families/models/${assistant.runId}`);
    expect(task('TAKD', 1).config.teacher).toEqual({ runId: assistant.runId, model: { type: 'mlp', hidden: [16] }, view: 'flattened', modelSeed: 1002 });
    expect(task('TAKD', 1).teacherFolder).toBe(assistant.saveFolder);
    // rows nobody reads are not saved
    expect([task('TAKD', 1).saveFolder, task('KD', 1).saveFolder, task('alone', 1).saveFolder]).toEqual([undefined, undefined, undefined]);
  });

  it('seeds peers and other initialisations apart, and gives output rows their source run', () => {
    expect(task('DML', 2).config.peers).toEqual([{ model: { type: 'mlp', hidden: [16] }, modelSeed: 2012 }]);
    expect([task('plain', 2).config.modelSeed, task('generation 1', 2).config.modelSeed]).toEqual([2002, 2102]);
    const output = task('DML peer 16', 2);
    const source = task('DML', 2);
    expect(output.config).toEqual({ ...source.config, evaluationModel: 'peer1' });
    expect(output.runId).toBe(runIdOf(output.config));
    expect(output.sourceFolder).toBe(source.saveFolder);
    expect(source.saveFolder).toBe(`/out/families/models/${source.runId}`);
  });

  it('changes a learner\'s run id when anything upstream in its chain changes', () => {
    const base = planOf(familiesSuiteYaml({ seeds: [1] })).tasks;
    const hotter = planOf(familiesSuiteYaml({ seeds: [1] }).replace('{ id: assistant, student: mid, teacher: teacher, losses: [{ name: kd, options: { temperature: 4 } }]', '{ id: assistant, student: mid, teacher: teacher, losses: [{ name: kd, options: { temperature: 5 } }]')).tasks;
    const changed = hotter.filter((t) => t.runId !== base.find((b) => b.rowId === t.rowId)!.runId).map((t) => t.rowId);
    expect(changed).toEqual(['assistant', 'TAKD']);
  });
});

/** Pretends to train; "saves" models; fails the runs it is told to. */
function fakeExecutor(failing: (task: RunTask) => boolean): { executor: Executor; started: string[] } {
  const started: string[] = [];
  const executor: Executor = {
    slots: 2,
    async run(task) {
      started.push(task.label);
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (failing(task)) throw new Error(`boom in ${task.label}`);
      if (task.saveFolder) {
        mkdirSync(task.saveFolder, { recursive: true });
        writeFileSync(join(task.saveFolder, 'model.json'), '{}');
      }
      return { runId: task.runId, format: 1 } as unknown as RunRecord;
    },
    backends: () => [],
    close: async () => {},
  };
  return { executor, started };
}

describe('scheduling runs with several dependencies', () => {
  it('starts a row only after all its teachers, and skips it (and its outputs and learners) when one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-families-'));
    const { tasks } = planSuite(validateSuite(parse(familiesSuiteYaml()), registry, 'families.yaml'), { artefacts: dir });
    const store = await ResultsStore.open(join(dir, 'results.jsonl'));
    const { executor, started } = fakeExecutor((t) => t.rowId === 'second teacher' || t.rowId === 'DML');
    const outcome = await schedule(tasks, executor, store);
    await store.close();
    expect(outcome.skipped.map((t) => t.rowId).sort()).toEqual(['DML peer 16', 'multi']);
    expect(outcome.failed.map((f) => f.task.rowId).sort()).toEqual(['DML', 'second teacher']);
    const order = started.map((label) => label.replace(/ seed \d+$/, ''));
    expect(order.indexOf('TAKD')).toBeGreaterThan(order.indexOf('assistant'));
    expect(order.indexOf('BYOT [head:hidden1]')).toBeGreaterThan(order.indexOf('BYOT'));
    expect(order).not.toContain('multi');
  });
});
