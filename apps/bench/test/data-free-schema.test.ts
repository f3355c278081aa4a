import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planSuite } from '../src/plan/plan-suite.js';
import { createRegistry } from '../src/registry.js';
import { loadSuite, validateSuite } from '../src/suites/load-suite.js';
import { SuiteValidationError, type SuiteIssue } from '../src/suites/suite-error.js';
import { dataFreeSuiteYaml } from './helpers/data-free-suite.js';

const registry = createRegistry();
type Raw = Record<string, unknown>;
const suite = (): Raw => parse(dataFreeSuiteYaml()) as Raw;
const row = (raw: Raw, id: string): Raw => (raw['methods'] as Raw[]).find((r) => r['id'] === id) as Raw;

function issuesOf(raw: unknown): SuiteIssue[] {
  try {
    validateSuite(raw, registry, 'test.yaml', false);
  } catch (error) {
    if (error instanceof SuiteValidationError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('data-free and adversarial rows in suites', () => {
  it('lists the schemes of both plugins in the registry', () => {
    const names = registry.schemes().map((s) => s.name);
    for (const name of ['adversarial-kd', 'bss', 'adversarial-online', 'dafl', 'dfad', 'deep-inversion', 'few-shot-mixup']) expect(names).toContain(name);
  });

  it('resolves stepsPerEpoch, noise and a row optimiser into the run configs', () => {
    const resolved = validateSuite(suite(), registry, 'test.yaml');
    const plan = planSuite(resolved, { artefacts: '/tmp/x/data-free-tiny' });
    const config = (id: string) => plan.tasks.find((t) => t.rowId === id)!.config;
    expect(config('DAFL').syntheticSet).toEqual({ stepsPerEpoch: 2 });
    expect(config('DAFL').optimizer).toEqual({ name: 'adam', learningRate: 0.002 });
    expect(config('noise KD').syntheticSet).toEqual({ stepsPerEpoch: 2, noise: { mean: 0.1307, std: 0.3081, distribution: 'normal' } });
    expect(config('noise KD').optimizer).toEqual({ name: 'adam', learningRate: 0.001 });
    // rows without the new settings keep the fields (and run ids) they had
    expect('syntheticSet' in config('KD')).toBe(false);
    expect(config('few-shot').teacher?.blackBox).toBe(true);
    expect(plan.tasks.find((t) => t.rowId === 'DAFL')!.samplesFile).toBe('/tmp/x/data-free-tiny/samples/dafl-seed1.png');
    expect(plan.tasks.find((t) => t.rowId === 'teacher')!.samplesFile).toBeUndefined();
  });

  it('requires stepsPerEpoch of a scheme that never reads the training set, and refuses data or noise for it', () => {
    const raw = suite();
    delete row(raw, 'DAFL')['stepsPerEpoch'];
    row(raw, 'DAFL')['data'] = { trainLimit: 10 };
    expect(issuesOf(raw)).toEqual([
      {
        path: 'methods[2].stepsPerEpoch',
        message: 'scheme "dafl" never reads the training set (each step synthesises batchSize inputs): give stepsPerEpoch, the trainer\'s steps per epoch',
      },
      { path: 'methods[2].data', message: 'scheme "dafl" never reads the training set, so data settings would have no effect: remove them' },
    ]);
  });

  it('refuses noise without stepsPerEpoch, noise with data, and stepsPerEpoch on a row that reads the dataset', () => {
    const raw = suite();
    delete row(raw, 'noise KD')['stepsPerEpoch'];
    row(raw, 'noise KD')['data'] = { trainLimit: 10 };
    expect(issuesOf(raw)).toEqual([
      { path: 'methods[3].stepsPerEpoch', message: 'noise needs stepsPerEpoch: the noise transfer set holds stepsPerEpoch x batchSize samples' },
      { path: 'methods[3].data', message: 'give noise or data, not both: a noise row reads no images' },
    ]);
    const clock = suite();
    row(clock, 'adversarial KD')['stepsPerEpoch'] = 5;
    expect(issuesOf(clock)).toEqual([
      {
        path: 'methods[5].stepsPerEpoch',
        message: 'scheme "adversarial-kd" trains on the dataset\'s images, whose size sets the steps per epoch: remove stepsPerEpoch (or add noise to train on random noise)',
      },
    ]);
    const bad = suite();
    row(bad, 'noise KD')['noise'] = { mean: 0, std: -1, kind: 'pink' };
    row(bad, 'DAFL')['stepsPerEpoch'] = 0;
    row(bad, 'DAFL')['optimizer'] = { name: 'adam' };
    const paths = issuesOf(bad).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['methods[3].noise', 'methods[3].noise.std', 'methods[2].stepsPerEpoch', 'methods[2].optimizer.learningRate']));
  });

  it('fails validation, before any training, when a white-box data-free scheme is given a black-box teacher', () => {
    for (const scheme of ['dafl', 'dfad']) {
      const raw = suite();
      row(raw, 'DAFL')['scheme'] = scheme;
      if (scheme === 'dfad') row(raw, 'DAFL')['schemeOptions'] = { generatorWidth: 16 };
      row(raw, 'DAFL')['teacher'] = { id: 'teacher', blackBox: true };
      expect(issuesOf(raw)).toEqual([
        {
          path: 'methods[2]',
          message: `scheme "${scheme}" cannot be built for this row: the "${scheme}" scheme needs a white-box teacher (gradients through it to synthesise inputs) but the teacher is black-box (with a black-box teacher use "few-shot-mixup" (a few real images mixed up and labelled by the teacher's probabilities), or give a white-box teacher)`,
        },
      ]);
    }
  });

  it('ships the adversarial and data-free suites, valid in full and quick variants', () => {
    for (const name of ['adversarial', 'data-free']) {
      for (const quick of [false, true]) {
        const loaded = loadSuite(name, registry, { quick });
        expect(loaded.spec.budget).toMatch(/\w/);
        expect(loaded.spec.seeds).toEqual(quick ? [1] : [1, 2, 3]);
      }
    }
    const dataFree = loadSuite('data-free', registry);
    expect(dataFree.rows.map((r) => [r.id, r.method?.scheme ?? 'teacher', r.method?.syntheticSet?.stepsPerEpoch ?? null])).toEqual([
      ['teacher (LeNet-5)', 'teacher', null],
      ['teacher (LeNet-5 + BN)', 'teacher', null],
      ['student alone', 'offline', null],
      ['KD (with data)', 'offline', null],
      // plain KD rows come first in the report, noise or not
      ['random-noise KD', 'offline', 100],
      ['DAFL', 'dafl', 50],
      ['DFAD', 'dfad', 20],
      ['DeepInversion', 'deep-inversion', 20],
      ['few-shot mixup (200 images, black box)', 'few-shot-mixup', null],
    ]);
    expect(dataFree.rows.filter((r) => r.paper).map((r) => [r.id, r.paper?.accuracy])).toEqual([
      ['teacher (LeNet-5)', 98.91],
      ['student alone', 98.65],
      ['KD (with data)', 98.91],
      ['random-noise KD', 88],
      ['DAFL', 98.2],
      ['DFAD', 98.3],
    ]);
    const adversarial = loadSuite('adversarial', registry);
    expect(adversarial.rows.map((r) => r.series)).toEqual([
      'teacher',
      'student alone',
      'kd',
      'adversarial-kd: kd',
      'adversarial-kd: kd',
      'bss: kd',
      'adversarial-online: kd',
      'adversarial-online: kd [teacher]',
    ]);
  });
});
