import type { DatasetInfo } from '../../core/datasets';
import { datasetKey, type DatasetChoice } from '../../core/project';
import { MNIST_INFO, loadMnistRaw } from './mnist';

/** One part of a split dataset. `x` is flattened sample-major: sample i is x[i*size .. (i+1)*size). */
export interface Split {
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface LoadedDataset {
  info: DatasetInfo;
  train: Split;
  validation: Split;
  test: Split;
}

/** Every sample of a dataset, before splitting, in the source's own fixed order. */
export interface RawDataset extends Split {
  info: DatasetInfo;
}

/**
 * A dataset the engine knows. Built-ins register here; later sources (CSV files, image folders,
 * Fashion-MNIST) add entries with the same shape, so `listDatasets`/`loadDataset` stay the only API.
 */
export interface DatasetSource {
  info: DatasetInfo;
  /** Loads (and may cache) all samples. Must return the same order every time. */
  load(): Promise<RawDataset>;
}

const SOURCES: DatasetSource[] = [{ info: MNIST_INFO, load: loadMnistRaw }];

export function listDatasets(): DatasetInfo[] {
  return SOURCES.map((s) => ({ ...s.info, inputShape: [...s.info.inputShape], classNames: [...s.info.classNames] }));
}

export function getDatasetSource(id: string): DatasetSource {
  const source = SOURCES.find((s) => s.info.id === id);
  if (!source) {
    throw new Error(`Unknown dataset "${id}". Known datasets: ${SOURCES.map((s) => s.info.id).join(', ')}.`);
  }
  return source;
}

/** mulberry32: a small, fast, seedable 32-bit PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 (Fisher–Yates) driven by `rand`. */
export function shuffledIndices(n: number, rand: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}

/** Copies the samples at `indices` into a new contiguous Split. */
export function takeSamples(raw: Split, indices: ArrayLike<number>, sampleSize: number): Split {
  const count = indices.length;
  const x = new Float32Array(count * sampleSize);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const src = indices[i];
    x.set(raw.x.subarray(src * sampleSize, (src + 1) * sampleSize), i * sampleSize);
    labels[i] = raw.labels[src];
  }
  return { x, labels, count };
}

export function sampleSizeOf(info: DatasetInfo): number {
  return info.inputShape.reduce((a, b) => a * b, 1);
}

/**
 * Loads a dataset and splits it the same way every time for the same `splitSeed`:
 * a seeded shuffle, then the first `testFraction` is test, the next `validationFraction` validation, the rest train.
 */
export async function loadDataset(choice: DatasetChoice): Promise<LoadedDataset> {
  const source = getDatasetSource(datasetKey(choice.source));
  const raw = await source.load();
  const n = raw.count;
  const nTest = Math.round(n * choice.testFraction);
  const nVal = Math.round(n * choice.validationFraction);
  if (n - nTest - nVal < 1) {
    throw new Error(`The split of ${raw.info.name} leaves no training samples (validation ${choice.validationFraction}, test ${choice.testFraction}).`);
  }
  const order = shuffledIndices(n, mulberry32(choice.splitSeed));
  const size = sampleSizeOf(raw.info);
  return {
    info: raw.info,
    test: takeSamples(raw, order.subarray(0, nTest), size),
    validation: takeSamples(raw, order.subarray(nTest, nTest + nVal), size),
    train: takeSamples(raw, order.subarray(nTest + nVal), size),
  };
}
