import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSuite, type RunTask } from '../src/plan/plan-suite.js';
import { createRegistry } from '../src/registry.js';
import type { Executor } from '../src/runner/executor.js';
import { ResultsStore } from '../src/runner/results-store.js';
import type { RunRecord } from '../src/runner/run-record.js';
import { schedule } from '../src/runner/scheduler.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { tinySuiteYaml } from './helpers/tiny-suite.js';

/** Pretends to train: records the order, "saves" teachers, fails the runs it is told to. */
function fakeExecutor(slots: number, failing: (task: RunTask) => boolean) {
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const executor: Executor = {
    slots,
    async run(task) {
      started.push(task.label);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
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
  return { executor, started, maxInFlight: () => maxInFlight };
}

async function setup(seeds: number[]) {
  const folder = mkdtempSync(join(tmpdir(), 'bench-schedule-'));
  const suite = validateSuite(parse(tinySuiteYaml({ seeds })), createRegistry(), 'tiny.yaml');
  const plan = planSuite(suite, { artefacts: join(folder, 'tiny') });
  return { plan, store: await ResultsStore.open(join(folder, 'tiny.jsonl')) };
}

describe('scheduler', () => {
  it('starts a student only after its teacher is saved, never exceeds the slots, and reuses finished runs', async () => {
    const { plan, store } = await setup([1, 2, 3]);
    const fake = fakeExecutor(2, () => false);
    const outcome = await schedule(plan.tasks, fake.executor, store);
    expect(outcome.computed).toHaveLength(9);
    expect(fake.maxInFlight()).toBe(2);
    for (const task of plan.tasks.filter((t) => t.dependsOn)) {
      const teacher = plan.tasks.find((t) => t.runId === task.dependsOn)!;
      expect(fake.started.indexOf(task.label)).toBeGreaterThan(fake.started.indexOf(teacher.label));
    }
    const again = fakeExecutor(2, () => false);
    const second = await schedule(plan.tasks, again.executor, store);
    expect([second.reused.length, second.computed.length, again.started.length]).toEqual([9, 0, 0]);
    await store.close();
  });

  it('skips the students of a failed teacher and goes on with the rest', async () => {
    const { plan, store } = await setup([1, 2]);
    const fake = fakeExecutor(1, (task) => task.label === 'teacher seed 2');
    const outcome = await schedule(plan.tasks, fake.executor, store);
    expect(outcome.failed.map((f) => [f.task.label, f.error.message])).toEqual([['teacher seed 2', 'boom in teacher seed 2']]);
    expect(outcome.skipped.map((t) => t.label)).toEqual(['KD seed 2']);
    expect(outcome.computed.map((t) => t.label).sort()).toEqual(['KD seed 1', 'student alone seed 1', 'student alone seed 2', 'teacher seed 1']);
    await store.close();
  });

  it('stops starting runs once aborted', async () => {
    const { plan, store } = await setup([1, 2]);
    const controller = new AbortController();
    const fake = fakeExecutor(1, () => false);
    const outcome = await schedule(plan.tasks, { ...fake.executor, run: (task, p) => (controller.abort(), fake.executor.run(task, p)) }, store, {}, controller.signal);
    expect(fake.started).toEqual(['teacher seed 1']);
    expect(outcome.computed.length + outcome.failed.length).toBeLessThanOrEqual(1);
    await store.close();
  });
});
