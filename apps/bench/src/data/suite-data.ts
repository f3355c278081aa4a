import { labelsPerClass, onlyClasses, randomTranslation, take, withoutClasses, type InMemoryDataset } from '@distillery/data';
import { loadFashionMnist, loadMnist } from '@distillery/data/node';
import type { RunConfig } from '../plan/run-config.js';
import type { View } from '../suites/schema.js';
import { isTextConfig } from '../text/text-config.js';
import { textRunData } from '../text/text-data.js';

type DatasetName = RunConfig['dataset']['name'];

/** Split files parsed once per thread: a worker runs many runs over the same data. */
const splits = new Map<string, InMemoryDataset>();

function loadSplit(name: DatasetName, split: 'train' | 'test', limit: number | undefined): InMemoryDataset {
  const key = `${name}/${split}/${limit ?? 'all'}`;
  let dataset = splits.get(key);
  if (!dataset) {
    if (name === 'mnist') {
      dataset = loadMnist({ split, ...(limit !== undefined ? { limit } : {}) });
    } else {
      // Fashion-MNIST's split is made from all files at once; limit the result rather than the read.
      const full = splits.get(`${name}/${split}/all`) ?? loadFashionMnist({ split });
      splits.set(`${name}/${split}/all`, full);
      dataset = limit !== undefined && limit < full.size ? take(full, limit) : full;
    }
    splits.set(key, dataset);
  }
  return dataset;
}

/**
 * The training (transfer) set of a run, before the model's view: the first trainLimit images, then
 * labelsPerClass (seeded), then omitted or kept classes. The label space always keeps every class.
 */
export function trainingImages(config: Pick<RunConfig, 'dataset' | 'data' | 'seed'>): InMemoryDataset {
  const { data } = config;
  let dataset = loadSplit(config.dataset.name, 'train', data.trainLimit);
  if (data.labelsPerClass !== undefined) dataset = labelsPerClass(dataset, data.labelsPerClass, data.subsetSeed ?? config.seed);
  if (data.omitClasses) dataset = withoutClasses(dataset, data.omitClasses);
  if (data.onlyClasses) dataset = onlyClasses(dataset, data.onlyClasses);
  return dataset;
}

/** A dataset as a model of this view sees it (shares the array for flattened and image). */
export function inView(dataset: InMemoryDataset, view: View): InMemoryDataset {
  if (view === 'flattened') return dataset.flattened();
  if (view === 'padded32') return dataset.padded(32);
  return dataset;
}

export interface RunData {
  readonly train: InMemoryDataset;
  readonly test: InMemoryDataset;
}

const views = new Map<string, RunData>();

/** Train and test sets of a run in its model's view, training augmentation applied; cached per thread. */
export function runData(config: RunConfig): RunData {
  if (isTextConfig(config.dataset)) return textRunData(config);
  const key = JSON.stringify([config.dataset, config.data, config.data.labelsPerClass !== undefined && config.data.subsetSeed === undefined ? config.seed : 0, config.view, config.augmentation]);
  let data = views.get(key);
  if (!data) {
    const images = inView(trainingImages(config), config.view);
    const train = config.augmentation.jitter > 0 ? images.withTransform(randomTranslation({ maxShift: config.augmentation.jitter })) : images;
    const test = inView(loadSplit(config.dataset.name, 'test', config.dataset.testLimit), config.view);
    data = { train, test };
    views.set(key, data);
  }
  return data;
}

/** Steps per epoch of a run (for the progress bar's total), without building the view. */
export function stepsPerEpoch(config: RunConfig): number {
  if (config.syntheticSet) return config.syntheticSet.stepsPerEpoch;
  if (isTextConfig(config.dataset)) return Math.ceil(textRunData(config).train.size / config.batchSize);
  return Math.ceil(trainingImages(config).size / config.batchSize);
}
