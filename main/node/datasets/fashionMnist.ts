import fs from 'node:fs';
import path from 'node:path';
import type { DatasetInfo } from '../../core/datasets';
import { readIdx } from './idx';
import type { BuiltinData } from './builtin';

/**
 * Fashion-MNIST (Zalando): 70,000 28×28 grayscale images of clothes in 10 classes, as four IDX files
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each
 * optionally `.gz`). Found where Debian's `dataset-fashion-mnist` package installs them, or in the folder the person picks.
 *
 * Split: the official one. The 10,000 t10k images are the test split; validation is `validationFraction` of the 60,000
 * training images (seeded, optionally stratified); `testFraction` is not used.
 */

export const FASHION_MNIST_DIRS = ['/usr/share/datasets/fashion-mnist', '/usr/share/fashion-mnist', '/usr/local/share/datasets/fashion-mnist'];

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const FASHION_MNIST_INFO: DatasetInfo = {
  id: 'fashion-mnist',
  name: 'Fashion-MNIST',
  description: '70,000 clothing images (28×28 grayscale, 10 classes): the official 60,000 training and 10,000 test images.',
  inputShape: [28, 28, 1],
  inputDType: 'float32',
  task: 'classification',
  numClasses: 10,
  classNames: FASHION_CLASSES,
  outputSize: 10,
  totalSamples: 70_000,
  available: true,
};

const NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type Part = keyof typeof NAMES;

export const FASHION_MISSING_HINT =
  'Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pick the folder with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz).';

/** The four files in `dir` (plain or .gz), or the names missing. */
export function fashionFiles(dir: string): { files: Record<Part, string> } | { missing: string[] } {
  const files: Partial<Record<Part, string>> = {};
  const missing: string[] = [];
  for (const [part, name] of Object.entries(NAMES) as [Part, string][]) {
    const found = [name, name + '.gz'].map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
    if (found) files[part] = found;
    else missing.push(name + '[.gz]');
  }
  return missing.length ? { missing } : { files: files as Record<Part, string> };
}

/** The folder to read: the one given, else the first standard location holding all four files. */
export function findFashionDir(dir?: string): { dir: string } | { reason: string } {
  if (dir) {
    const f = fashionFiles(dir);
    return 'files' in f ? { dir } : { reason: `Fashion-MNIST files missing in ${dir}: ${f.missing.join(', ')}. ${FASHION_MISSING_HINT}` };
  }
  for (const d of FASHION_MNIST_DIRS) if ('files' in fashionFiles(d)) return { dir: d };
  return { reason: `Fashion-MNIST was not found in ${FASHION_MNIST_DIRS[0]}. ${FASHION_MISSING_HINT}` };
}

const cache = new Map<string, Promise<BuiltinData>>();

/** All 70,000 images: the 60,000 training images first, then the 10,000 test images (`testStart` = 60,000). */
export function loadFashionMnist(dir?: string): Promise<BuiltinData> {
  const found = findFashionDir(dir);
  if ('reason' in found) return Promise.reject(new Error(found.reason));
  let p = cache.get(found.dir);
  if (!p) {
    p = readFashion(found.dir);
    cache.set(found.dir, p);
    p.catch(() => cache.delete(found.dir));
  }
  return p;
}

async function readFashion(dir: string): Promise<BuiltinData> {
  const f = fashionFiles(dir);
  if (!('files' in f)) throw new Error(`Fashion-MNIST files missing in ${dir}: ${f.missing.join(', ')}. ${FASHION_MISSING_HINT}`);
  const [ti, tl, vi, vl] = await Promise.all([f.files.trainImages, f.files.trainLabels, f.files.testImages, f.files.testLabels].map(readIdx));
  const check = (img: typeof ti, lab: typeof tl, imgFile: string, labFile: string) => {
    if (img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28) throw new Error(`${imgFile}: expected N×28×28 images, found ${img.dims.join('×')}.`);
    if (lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) throw new Error(`${labFile}: expected ${img.dims[0]} labels, found ${lab.dims.join('×')}.`);
    for (const l of lab.data) if (l > 9) throw new Error(`${labFile}: label ${l} is outside 0..9.`);
  };
  check(ti, tl, f.files.trainImages, f.files.trainLabels);
  check(vi, vl, f.files.testImages, f.files.testLabels);
  const nTrain = ti.dims[0];
  const n = nTrain + vi.dims[0];
  const x = new Uint8Array(n * 784);
  x.set(ti.data, 0);
  x.set(vi.data, nTrain * 784);
  const y = new Int32Array(n);
  y.set(tl.data, 0);
  y.set(vl.data, nTrain);
  return {
    info: { ...FASHION_MNIST_INFO, totalSamples: n, description: `${FASHION_MNIST_INFO.description} Read from ${dir}.` },
    samples: { x, xScale: 1 / 255, sampleSize: 784, y, ySize: 1, count: n },
    testStart: nTrain,
  };
}
