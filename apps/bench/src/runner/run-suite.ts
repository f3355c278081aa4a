import { Trainer, selectBackend, type BackendName, type Dataset, type Teacher, type TrainableModel, type WeightedLoss } from '@distillery/core';
import { loadMnist } from '@distillery/data/node';
import { asTeacher, mlp } from '@distillery/models';
import { offlineDistillation } from '@distillery/offline';
import type { MethodSpec, MlpSpec, SuiteSpec } from '../suites/suite-spec.js';
import { createRegistry } from '../registry.js';
import { silentProgress, type ProgressSink } from './progress.js';
import type { RunResult, SuiteResult } from './run-types.js';

export interface RunSuiteOptions {
  readonly backend?: BackendName;
  readonly progress?: ProgressSink;
  readonly seeds?: readonly number[];
}

interface SuiteData {
  readonly train: Dataset;
  readonly test: Dataset;
}

async function loadSuiteData(spec: SuiteSpec): Promise<SuiteData> {
  const train = await loadMnist({ split: 'train', ...(spec.dataset.trainLimit ? { limit: spec.dataset.trainLimit } : {}) });
  const test = await loadMnist({ split: 'test', ...(spec.dataset.testLimit ? { limit: spec.dataset.testLimit } : {}) });
  return { train: train.flattened(), test: test.flattened() };
}

function buildModel(spec: MlpSpec, name: string, seed: number, data: SuiteData): TrainableModel {
  return mlp({
    name,
    inputShape: data.train.inputShape,
    hidden: spec.hidden,
    numClasses: data.train.numClasses,
    seed,
    ...(spec.dropout !== undefined ? { dropout: spec.dropout } : {}),
    ...(spec.inputDropout !== undefined ? { inputDropout: spec.inputDropout } : {}),
    ...(spec.maxNorm !== undefined ? { maxNorm: spec.maxNorm } : {}),
  });
}

function distillationLosses(method: MethodSpec): WeightedLoss[] {
  if (!method.loss) return [];
  return [{ loss: createRegistry().loss(method.loss).create(method.lossOptions ?? {}), weight: 1 }];
}

/** Runs every method of a suite for every seed: teachers first, so each seed's students learn from that seed's teacher. */
export async function runSuite(spec: SuiteSpec, options: RunSuiteOptions = {}): Promise<SuiteResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const backend = await selectBackend(options.backend ?? spec.backend ? { force: (options.backend ?? spec.backend)! } : {});
  const progress = options.progress ?? silentProgress;
  const data = await loadSuiteData(spec);
  const seeds = options.seeds ?? spec.seeds;
  const stepsPerEpoch = Math.ceil(data.train.size / spec.batchSize);
  const methodsInOrder = [...spec.methods].sort((a, b) => Number(b.role === 'teacher') - Number(a.role === 'teacher'));
  const totalSteps = seeds.length * methodsInOrder.reduce((sum, m) => sum + stepsPerEpoch * (m.model === 'teacher' ? spec.epochs.teacher : spec.epochs.student), 0);
  progress.start(totalSteps);

  const runs: RunResult[] = [];
  let stepsBefore = 0;
  try {
    for (const seed of seeds) {
      let teacherModel: TrainableModel | undefined;
      for (const method of methodsInOrder) {
        const modelSpec = method.model === 'teacher' ? spec.teacher : spec.student;
        const epochs = method.model === 'teacher' ? spec.epochs.teacher : spec.epochs.student;
        const model = buildModel(modelSpec, method.id, seed * 1000 + (method.model === 'teacher' ? 1 : 2), data);
        let teacher: Teacher | undefined;
        if (method.role === 'distilled') {
          if (!teacherModel) throw new Error(`suite "${spec.name}" has a distilled method but no teacher method`);
          teacher = asTeacher(teacherModel);
        }
        const scheme = offlineDistillation({
          student: model,
          ...(teacher ? { teacher } : {}),
          losses: distillationLosses(method),
          alpha: method.role === 'distilled' ? (method.alpha ?? 0.9) : 0,
          optimizer: { name: 'adam', learningRate: spec.learningRate },
        });
        const label = `${method.id} seed ${seed}`;
        const base = stepsBefore;
        const result = await new Trainer({
          scheme,
          train: data.train,
          evaluation: data.test,
          epochs,
          batchSize: spec.batchSize,
          seed,
          callbacks: { onStep: (event) => progress.update(base + event.step, label, event.terms['total']) },
        }).fit();
        stepsBefore += epochs * stepsPerEpoch;
        const final = result.final!;
        runs.push({
          suite: spec.name,
          method: method.id,
          role: method.role,
          seed,
          backend: backend.name,
          epochs,
          test: final.metrics['student']!,
          history: result.history.map((r) => ({ epoch: r.epoch, terms: r.terms, testAccuracy: r.metrics['student']?.accuracy })),
          params: model.countParams(),
          trainSeconds: result.trainSeconds,
          samplesPerSecond: result.samplesPerSecond,
        });
        scheme.dispose();
        if (method.role === 'teacher') teacherModel = model;
        else model.dispose();
      }
      teacherModel?.dispose();
    }
  } finally {
    progress.stop();
  }
  return { suite: spec.name, description: spec.description, backend: backend.name, startedAt, wallSeconds: (performance.now() - started) / 1000, runs };
}

