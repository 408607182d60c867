import { test, expect } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineServer } from './engineServer';

// Import model… with the weight files picked together: the weights are kept; a layer can be frozen, one undo step.
const app = engineServer('import-weights');

/** A tfjs model.json (Dense 3 → 2, named "hidden") and its weights file, as tfjs writes them. */
function modelFiles(): [string, string] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-e2e-import-'));
  const topology = {
    class_name: 'Sequential',
    config: { name: 'tiny', layers: [{ class_name: 'Dense', config: { name: 'hidden', units: 2, activation: 'linear', use_bias: true, batch_input_shape: [null, 3] } }] },
  };
  const json = { format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'hidden/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'hidden/bias', shape: [2], dtype: 'float32' }] }] };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6, 0.5, -0.5]).buffer));
  return [path.join(dir, 'model.json'), path.join(dir, 'group1-shard1of1.bin')];
}

test('a model.json picked with its .bin keeps its weights; Trainable unticked freezes the layer, one undo step', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await page.getByTestId('import-model-input').setInputFiles(modelFiles());
  await expect(page.getByText(/trained weights kept \(2 weights of 1 layers/)).toBeVisible();
  await page.getByTestId('node-hidden').click();
  const trainable = page.getByTestId('layer-trainable');
  await expect(trainable).toBeChecked();
  await trainable.uncheck();
  await expect(trainable).not.toBeChecked();
  await page.getByTestId('undo-button').click();
  await expect(trainable).toBeChecked();
  expect(pageErrors).toEqual([]);
});
