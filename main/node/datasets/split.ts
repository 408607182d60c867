import type { Batch, SplitData } from '../../core/training/types';

import { mulberry32, shuffleInPlace, shuffledIndices } from '../../core/random';
import { scalePixels } from '../../core/preprocess';

export { mulberry32, shuffledIndices };

/** Standard normal samples (Box–Muller) from a uniform generator. */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

export interface SplitFractions {
  validationFraction: number;
  testFraction: number;
  splitSeed: number;
  stratify?: boolean;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits 0..n-1 the same way every time for the same seed.
 * Unstratified: one seeded shuffle; the first `testFraction` is test, the next `validationFraction` validation, the rest train.
 * Stratified (needs `labels`): the same cut inside each class (seeded shuffle per class), so each split keeps the class
 * proportions to within one sample per class; each split's order is then shuffled once more.
 */
export function splitIndices(n: number, f: SplitFractions, labels?: Int32Array, numClasses = 0, what = 'the dataset'): SplitIndices {
  const rand = mulberry32(f.splitSeed);
  let out: SplitIndices;
  if (f.stratify && labels && numClasses > 0) {
    const byClass: number[][] = Array.from({ length: numClasses }, () => []);
    for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
    const test: number[] = [];
    const validation: number[] = [];
    const train: number[] = [];
    for (const members of byClass) {
      const order = Int32Array.from(members);
      shuffleInPlace(order, rand);
      const nTest = Math.round(order.length * f.testFraction);
      const nVal = Math.round(order.length * f.validationFraction);
      for (let i = 0; i < order.length; i++) (i < nTest ? test : i < nTest + nVal ? validation : train).push(order[i]);
    }
    out = { train: Int32Array.from(train), validation: Int32Array.from(validation), test: Int32Array.from(test) };
    shuffleInPlace(out.train, rand);
    shuffleInPlace(out.validation, rand);
    shuffleInPlace(out.test, rand);
  } else {
    const nTest = Math.round(n * f.testFraction);
    const nVal = Math.round(n * f.validationFraction);
    const order = shuffledIndices(n, rand);
    out = { test: order.slice(0, nTest), validation: order.slice(nTest, nTest + nVal), train: order.slice(nTest + nVal) };
  }
  if (out.train.length < 1) {
    throw new Error(`The split of ${what} (${n} samples) leaves no training samples (validation ${f.validationFraction}, test ${f.testFraction}).`);
  }
  return out;
}

/**
 * Chronological split for series: the first part trains, the next validates, the last tests; no shuffling across time
 * (a shuffled split would let the model peek at the future of its validation windows).
 */
export function chronologicalSplit(n: number, f: SplitFractions, what = 'the series'): SplitIndices {
  const nTest = Math.round(n * f.testFraction);
  const nVal = Math.round(n * f.validationFraction);
  const nTrain = n - nTest - nVal;
  if (nTrain < 1) throw new Error(`The split of ${what} (${n} windows) leaves no training windows (validation ${f.validationFraction}, test ${f.testFraction}).`);
  const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  return { train: range(0, nTrain), validation: range(nTrain, nTrain + nVal), test: range(nTrain + nVal, n) };
}

/** Samples held in memory, sample-major. Uint8 pixels are scaled by `xScale` (1/255) when a batch is built. */
export interface ArraySamples {
  x: Float32Array | Int32Array | Uint8Array;
  xScale?: number;
  sampleSize: number;
  /** Class indices (classification, ySize 1) or regression targets (ySize values per sample). */
  y: Int32Array | Float32Array;
  ySize: number;
  count: number;
}

/** A SplitData over in-memory samples: `members[i]` is the sample behind split index i. */
export function arraySplit(s: ArraySamples, members: Int32Array): SplitData {
  const { sampleSize, ySize } = s;
  const labels = s.y instanceof Int32Array ? Int32Array.from(members, (m) => (s.y as Int32Array)[m]) : undefined;
  return {
    count: members.length,
    labels,
    getBatch(indices: ArrayLike<number>): Batch {
      const count = indices.length;
      const x = s.x instanceof Int32Array ? new Int32Array(count * sampleSize) : new Float32Array(count * sampleSize);
      const y = s.y instanceof Int32Array ? new Int32Array(count * ySize) : new Float32Array(count * ySize);
      const scale = s.xScale;
      for (let i = 0; i < count; i++) {
        const k = indices[i];
        if (!(k >= 0 && k < members.length)) throw new RangeError(`Sample index ${k} is outside this split (0..${members.length - 1}).`);
        const m = members[k];
        const src = s.x.subarray(m * sampleSize, (m + 1) * sampleSize);
        if (scale !== undefined) {
          scalePixels(src, x as Float32Array, i * sampleSize, scale);
        } else {
          x.set(src, i * sampleSize);
        }
        y.set(s.y.subarray(m * ySize, (m + 1) * ySize), i * ySize);
      }
      return { x, y, count };
    },
  };
}

export function classCountsOf(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Samples of several inputs and targets held in memory, each sample-major with its own width. */
export interface PartSamples {
  xs: { data: Float32Array | Int32Array; size: number }[];
  ys: { data: Int32Array | Float32Array; size: number }[];
  count: number;
}

/** A SplitData over several inputs and targets: batches carry xs and ys (x and y are their first). */
export function partsSplit(s: PartSamples, members: Int32Array): SplitData {
  const first = s.ys[0].data;
  const labels = first instanceof Int32Array ? Int32Array.from(members, (m) => first[m]) : undefined;
  const gather = <T extends Float32Array | Int32Array>(part: { data: T; size: number }, indices: ArrayLike<number>): T => {
    const { data, size } = part;
    const out = (data instanceof Int32Array ? new Int32Array(indices.length * size) : new Float32Array(indices.length * size)) as T;
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!(k >= 0 && k < members.length)) throw new RangeError(`Sample index ${k} is outside this split (0..${members.length - 1}).`);
      const m = members[k];
      out.set(data.subarray(m * size, (m + 1) * size), i * size);
    }
    return out;
  };
  return {
    count: members.length,
    labels,
    getBatch(indices: ArrayLike<number>): Batch {
      const xs = s.xs.map((p) => gather(p, indices));
      const ys = s.ys.map((p) => gather(p, indices));
      return { x: xs[0], y: ys[0], xs, ys, count: indices.length };
    },
  };
}
