import fs from 'node:fs';
import path from 'node:path';
import type { DatasetInfo } from '../../core/datasets';
import type { BuiltinData } from './builtin';

/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz): `data_batch_1.bin` …
 * `data_batch_5.bin` (training) and `test_batch.bin`. Each record is 1 label byte + 3,072 pixel bytes as three 32×32
 * planes (red, green, blue); they become HWC [32, 32, 3] floats in 0..1.
 *
 * Split: the official one. test_batch.bin is the test split; validation is `validationFraction` of the training
 * batches present; `testFraction` is not used.
 */

export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
export const CIFAR_PICK_HINT = 'Pick the folder with data_batch_1.bin … test_batch.bin (the CIFAR-10 binary version)';

export const CIFAR10_INFO: DatasetInfo = {
  id: 'cifar10',
  name: 'CIFAR-10',
  description: '60,000 32×32 colour images in 10 classes: 50,000 training and 10,000 test images.',
  inputShape: [32, 32, 3],
  inputDType: 'float32',
  task: 'classification',
  numClasses: 10,
  classNames: CIFAR_CLASSES,
  outputSize: 10,
  totalSamples: 60_000,
  available: false,
  unavailableReason: `${CIFAR_PICK_HINT}.`,
};

const RECORD = 1 + 3072;

/** The batch files found in `dir`, or why it cannot be used. */
export function cifarFiles(dir: string | undefined): { train: string[]; test: string } | { reason: string } {
  if (!dir) return { reason: `${CIFAR_PICK_HINT}.` };
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { reason: `${dir} is not a folder. ${CIFAR_PICK_HINT}.` };
  const train = [1, 2, 3, 4, 5].map((i) => path.join(dir, `data_batch_${i}.bin`)).filter((f) => fs.existsSync(f));
  const test = path.join(dir, 'test_batch.bin');
  if (train.length === 0 || !fs.existsSync(test)) {
    const missing = [train.length === 0 ? 'data_batch_1.bin … data_batch_5.bin' : '', fs.existsSync(test) ? '' : 'test_batch.bin'].filter(Boolean).join(' and ');
    return { reason: `${dir} has no ${missing}. ${CIFAR_PICK_HINT}.` };
  }
  return { train, test };
}

const cache = new Map<string, Promise<BuiltinData>>();

export function loadCifar10(dir: string | undefined): Promise<BuiltinData> {
  const found = cifarFiles(dir);
  if ('reason' in found) return Promise.reject(new Error(`CIFAR-10: ${found.reason}`));
  const key = path.resolve(dir!);
  let p = cache.get(key);
  if (!p) {
    p = readCifar(key, found.train, found.test);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function readCifar(dir: string, trainFiles: string[], testFile: string): Promise<BuiltinData> {
  const bufs = await Promise.all([...trainFiles, testFile].map((f) => fs.promises.readFile(f)));
  const files = [...trainFiles, testFile];
  bufs.forEach((b, i) => {
    if (b.length === 0 || b.length % RECORD !== 0) {
      throw new Error(`${files[i]}: ${b.length} bytes is not a whole number of CIFAR-10 records (${RECORD} bytes each). ${CIFAR_PICK_HINT}.`);
    }
  });
  const counts = bufs.map((b) => b.length / RECORD);
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Uint8Array(n * 3072);
  const y = new Int32Array(n);
  let s = 0;
  bufs.forEach((b, fi) => {
    for (let r = 0; r < counts[fi]; r++, s++) {
      const o = r * RECORD;
      const label = b[o];
      if (label > 9) throw new Error(`${files[fi]}: record ${r + 1} has label ${label}, outside 0..9.`);
      y[s] = label;
      const dst = s * 3072;
      // CHW planes → HWC.
      for (let p = 0; p < 1024; p++) {
        x[dst + p * 3] = b[o + 1 + p];
        x[dst + p * 3 + 1] = b[o + 1 + 1024 + p];
        x[dst + p * 3 + 2] = b[o + 1 + 2048 + p];
      }
    }
  });
  const testStart = n - counts[counts.length - 1];
  let classNames = CIFAR_CLASSES;
  try {
    const meta = (await fs.promises.readFile(path.join(dir, 'batches.meta.txt'), 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (meta.length === 10) classNames = meta;
  } catch {
    /* optional file */
  }
  return {
    info: {
      ...CIFAR10_INFO,
      classNames,
      available: true,
      unavailableReason: undefined,
      totalSamples: n,
      description: `${n.toLocaleString('en-US')} 32×32 colour images in 10 classes (${testStart.toLocaleString('en-US')} training, ${(n - testStart).toLocaleString('en-US')} test) from ${dir}.`,
    },
    samples: { x, xScale: 1 / 255, sampleSize: 3072, y, ySize: 1, count: n },
    testStart,
  };
}
