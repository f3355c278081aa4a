// Node-only entry: loaders that read files. Datasets, subsets and transforms come from "@distillery/data".
export { loadMnist } from './mnist.js';
export type { LoadMnistOptions } from './mnist.js';
export { loadFashionMnist, loadFashionMnistSplits } from './fashion-mnist.js';
export type { LoadFashionMnistOptions, FashionMnistSplits } from './fashion-mnist.js';
export { loadCifar10, CIFAR10_FILES } from './cifar10.js';
export type { LoadCifar10Options } from './cifar10.js';
export { loadSpamAssassin, importSpamAssassinMessages, SPAM_ASSASSIN_PACKAGE } from './text/spam-assassin.js';
export type { LoadSpamAssassinOptions } from './text/spam-assassin.js';
