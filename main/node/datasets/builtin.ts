import type { DatasetInfo } from '../../core/datasets';
import type { DatasetSource } from '../../core/project';
import { CIFAR10_INFO, cifarFiles, loadCifar10 } from './cifar10';
import { FASHION_MNIST_INFO, findFashionDir, loadFashionMnist } from './fashionMnist';
import { MNIST_INFO, loadMnist } from './mnist';
import type { ArraySamples } from './split';
import { generateSynthetic, syntheticInfo } from './synthetic';

export type BuiltinSource = Extract<DatasetSource, { type: 'builtin' }>;

/** A built-in dataset held in memory. */
export interface BuiltinData {
  info: DatasetInfo;
  samples: ArraySamples;
  /** Samples from here on are the official test set (Fashion-MNIST, CIFAR-10): the test split is exactly those. */
  testStart?: number;
  /** Windows of a series: split in time order, not shuffled. */
  chronological?: boolean;
  /** The whole generated series (sine), for previews. */
  series?: Float32Array;
  /** The generated texts (reviews), in sample order, for previews. */
  texts?: string[];
}

/** What a built-in is, without loading it; `available` says whether its files are there. */
export function builtinInfo(source: BuiltinSource): DatasetInfo {
  switch (source.name) {
    case 'mnist':
      return { ...MNIST_INFO };
    case 'fashion-mnist': {
      const found = findFashionDir(source.dir);
      return 'reason' in found ? { ...FASHION_MNIST_INFO, available: false, unavailableReason: found.reason } : { ...FASHION_MNIST_INFO };
    }
    case 'cifar10': {
      const found = cifarFiles(source.dir);
      return 'reason' in found ? { ...CIFAR10_INFO, unavailableReason: found.reason } : { ...CIFAR10_INFO, available: true, unavailableReason: undefined };
    }
    default:
      return syntheticInfo(source.name, source.samples ?? 2000, source.noise ?? 0.1);
  }
}

export function loadBuiltin(source: BuiltinSource): Promise<BuiltinData> {
  switch (source.name) {
    case 'mnist':
      return loadMnist();
    case 'fashion-mnist':
      return loadFashionMnist(source.dir);
    case 'cifar10':
      return loadCifar10(source.dir);
    default:
      return Promise.resolve(generateSynthetic(source.name, source.samples ?? 2000, source.noise ?? 0.1));
  }
}
