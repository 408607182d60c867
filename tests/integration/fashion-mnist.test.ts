import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { listDatasets, openDataset } from '../../main/node/datasets';
import { findFashionDir } from '../../main/node/datasets/fashionMnist';
import { DatasetChoiceSchema } from '../../main/core/project';
import type { SplitData } from '../../main/core/training/types';

/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` package. Not skipped when missing: CI installs the package,
 * and a missing package must fail loudly.
 */
const require_ = createRequire(import.meta.url);

async function toTensors(split: SplitData, indices: ArrayLike<number>) {
  const b = await split.getBatch(indices);
  return { x: tf.tensor4d(b.x as Float32Array, [b.count, 28, 28, 1]), y: tf.oneHot(tf.tensor1d(b.y as Int32Array, 'int32'), 10), b };
}

describe('Fashion-MNIST (Debian package)', () => {
  it('is installed, splits 54,000 / 6,000 / 10,000 (the official 60,000 / 10,000) and trains an MLP to ≥ 0.80 validation accuracy', async () => {
    const found = findFashionDir();
    if ('reason' in found) throw new Error(`Fashion-MNIST is missing — run \`apt-get install dataset-fashion-mnist\`. ${found.reason}`);
    expect(listDatasets().find((d) => d.id === 'fashion-mnist')!.available).toBe(true);

    const data = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'fashion-mnist' }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 1234 }));
    expect(data.train.count + data.validation.count).toBe(60_000);
    expect([data.train.count, data.validation.count, data.test.count]).toEqual([54_000, 6_000, 10_000]);
    expect(data.info.classCounts).toEqual(new Array(10).fill(7000));
    expect(data.info.classNames[9]).toBe('Ankle boot');

    await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(path.dirname(require_.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();

    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
    });
    model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const batch = 256;
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let epoch = 0; epoch < 2; epoch++) {
      const order = Array.from({ length: data.train.count }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let s = 0; s < order.length; s += batch) {
        const { x, y } = await toTensors(data.train, order.slice(s, s + batch));
        await model.trainOnBatch(x, y);
        x.dispose();
        y.dispose();
      }
    }
    let correct = 0;
    for (let s = 0; s < data.validation.count; s += 1000) {
      const idx = Array.from({ length: Math.min(1000, data.validation.count - s) }, (_, i) => s + i);
      const { x, y, b } = await toTensors(data.validation, idx);
      const pred = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1));
      const p = await pred.data();
      for (let i = 0; i < b.count; i++) if (p[i] === b.y[i]) correct++;
      tf.dispose([x, y, pred]);
    }
    const acc = correct / data.validation.count;
    console.log(`Fashion-MNIST MLP, 2 epochs (wasm): validation accuracy ${(acc * 100).toFixed(2)} %`);
    expect(acc).toBeGreaterThanOrEqual(0.8);
  });
});
