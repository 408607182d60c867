import { test, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { fileSystemLoadHandler } from '../../main/node/export';
import { registerCustomLayers } from '../../main/core/layers/custom';
import { connect, dropLayer } from './canvas';
import { STOPPED_WITH_MODEL } from './training';
import { engineServer } from './engineServer';

// An attention model built from the palette in Chromium, trained by the engine, exported; then a stock-tfjs client
// (only @tensorflow/tfjs and the export folder) loads it and gives the same predictions as the app's own modules.
const app = engineServer('attention');

async function setParam(page: Page, node: string, key: string, value: string): Promise<void> {
  await page.getByTestId(`node-${node}`).click();
  await page.getByTestId(`param-${key}`).fill(value);
  await page.getByTestId(`param-${key}`).press('Enter');
}

test('build a self-attention classifier from the palette, train, export, load it with stock tfjs', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for events
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // MNIST rows as a sequence: Input [28, 28, 1] → Reshape [28, 28] → MultiHeadAttention → pool → Dense(10, softmax).
  await page.getByTestId('new-button').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  // Two rows, each layer where it is dropped.
  await dropLayer(page, 'Input', 110, 90);
  await expect(page.getByTestId('node-input_1')).toBeVisible();
  const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
  const inputBox = (await page.getByTestId('node-input_1').boundingBox())!;
  // The first layer of an empty canvas stays centred on the drop point (the view does not jump to it).
  expect(Math.abs(inputBox.x + inputBox.width / 2 - (canvasBox.x + 110))).toBeLessThan(40);
  await dropLayer(page, 'Reshape', 370, 90);
  await dropLayer(page, 'MultiHeadAttention', 640, 90);
  await dropLayer(page, 'GlobalAveragePooling1D', 370, 350);
  await dropLayer(page, 'Dense', 640, 350);
  const names = ['input_1', 'reshape_1', 'multi_head_attention_1', 'global_average_pooling1d_1', 'dense_1'];
  for (const name of names) await expect(page.getByTestId(`node-${name}`)).toBeVisible();
  for (let i = 1; i < names.length; i++) await connect(page, names[i - 1], names[i]);
  await page.getByTestId('canvas').screenshot({ path: 'test-results/attention-canvas.png' });
  await expect(page.locator('.react-flow__edge')).toHaveCount(names.length - 1);

  // The attention layer needs a sequence: its message names the fix, and the Reshape makes one.
  await expect(page.getByTestId('node-multi_head_attention_1')).toContainText(/Reshape/);
  await setParam(page, 'reshape_1', 'targetShape', '28, 28');
  await expect(page.getByTestId('node-multi_head_attention_1')).toContainText('[28, 28]');
  // The edge into the attention layer says which input it is.
  await expect(page.locator('.react-flow__edge-text', { hasText: /^query · / })).toHaveCount(1);
  await setParam(page, 'dense_1', 'units', '10');
  await page.getByTestId('param-activation').selectOption('softmax');
  await expect(page.getByTestId('node-dense_1')).toContainText('[10]');
  // Keras's count: 4 projections of 28 → 2 heads × 16 plus biases (3 × 928 + 924) = 3,708; Dense 290.
  await expect(page.getByTestId('total-params')).toContainText(/3[,. ]?998/);
  await expect(page.locator('[data-testid="inspector-error"]')).toHaveCount(0);

  // Train until the first epoch is on the charts, then stop (the run is 100 epochs: only Stop ends it).
  await page.getByTestId('training-epochs').fill('100');
  await page.getByTestId('training-epochs').press('Enter');
  await page.getByTestId('train-button').click();
  await expect(page.locator('.training__log')).toContainText('Epoch 1/100 took', { timeout: 300_000 });
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('training-status')).toHaveText(STOPPED_WITH_MODEL, { timeout: 120_000 });

  await page.getByTestId('export-button').click();
  await page.getByTestId('export-confirm').click();
  await expect(page.getByTestId('export-result')).toContainText('model.json');
  const exportsRoot = path.join(app.dataDir, 'exports');
  const [folder] = await fs.readdir(exportsRoot);
  const dir = path.join(exportsRoot, folder);
  expect(await fs.readdir(dir)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'neurowire-layers.js', 'neurowire-layers.mjs', 'code']));
  const modelTs = await fs.readFile(path.join(dir, 'code/model.ts'), 'utf8');
  expect(modelTs).toContain("const MultiHeadAttention = customLayerClass(tf, 'MultiHeadAttention');");

  // The app's modules load the export and predict; the stock client must agree.
  await tf.setBackend('cpu');
  registerCustomLayers(tf);
  const model = await tf.loadLayersModel(fileSystemLoadHandler(path.join(dir, 'model.json')));
  const samples = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5);
  const expected = (model.predict(samples) as tf.Tensor).arraySync() as number[][];
  const samplesFile = path.join(app.dataDir, 'samples.json');
  await fs.writeFile(samplesFile, JSON.stringify(samples.arraySync()));
  const client = path.resolve(__dirname, '../fixtures/stock-tfjs-client.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [client, dir, samplesFile], { cwd: path.resolve(__dirname, '../..') });
  const out = JSON.parse(stdout) as { classes: string[]; predictions: number[][] };
  expect(out.classes).toContain('MultiHeadAttention');
  const worst = Math.max(...out.predictions.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[i][j]))));
  expect(worst).toBeLessThanOrEqual(1e-5);
  model.dispose();

  expect(pageErrors).toEqual([]);
});
