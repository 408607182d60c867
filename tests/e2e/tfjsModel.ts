import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../main/core/random';

/**
 * A model someone already has, as tfjs saves it (model.json + weights.bin in a fresh folder, returned):
 * Flatten → Dense(hidden, relu) → Dense(10, softmax) on MNIST-shaped input, weights uniform in ±scale from `seed`.
 */
export function tfjsMlpModel(options: { hidden: number; seed: number; scale: number; folderPrefix: string }): string {
  const { hidden, seed, scale, folderPrefix } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const layers = [
    { class_name: 'Flatten', config: { name: 'flatten', batch_input_shape: [null, 28, 28, 1] } },
    { class_name: 'Dense', config: { name: 'hidden', units: hidden, activation: 'relu', use_bias: true } },
    { class_name: 'Dense', config: { name: 'digits', units: 10, activation: 'softmax', use_bias: true } },
  ];
  const shapes: Array<[string, number[]]> = [
    ['hidden/kernel', [784, hidden]],
    ['hidden/bias', [hidden]],
    ['digits/kernel', [hidden, 10]],
    ['digits/bias', [10]],
  ];
  const random = mulberry32(seed);
  const values = shapes.flatMap(([, shape]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * (2 * scale)));
  const json = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'digits_mlp', layers } },
    weightsManifest: [{ paths: ['weights.bin'], weights: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Float32Array(values).buffer));
  return dir;
}
