import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { connect, dropLayer } from './canvas';
import { STOPPED_WITH_MODEL, epochsCompletedAtStop } from './training';
import { engineServer } from './engineServer';

// The UI in Chromium against the same engine the desktop app uses, served over the local WebSocket.
const app = engineServer('build');

test('build the MNIST MLP from the palette, train, stop, export', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for events
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // Start from an empty canvas and build Input → Flatten → Dense(128, relu) → Dense(10, softmax).
  await page.getByTestId('new-button').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  await dropLayer(page, 'Input', 120, 160);
  await dropLayer(page, 'Flatten', 360, 160);
  await dropLayer(page, 'Dense', 600, 160);
  await dropLayer(page, 'Dense', 840, 160);
  for (const name of ['input_1', 'flatten_1', 'dense_1', 'dense_2']) await expect(page.getByTestId(`node-${name}`)).toBeVisible();

  await connect(page, 'input_1', 'flatten_1');
  await connect(page, 'flatten_1', 'dense_1');
  await connect(page, 'dense_1', 'dense_2');

  // The last layer still has 128 units: the dataset fit is flagged before anything is trained.
  await expect(page.getByTestId('node-dense_2')).toContainText('[128]');
  await page.getByTestId('node-dense_2').click();
  await expect(page.getByTestId('inspector-warning')).toContainText(/10 classes/);
  await page.getByTestId('param-units').fill('10');
  await page.getByTestId('param-units').press('Enter');
  await page.getByTestId('param-activation').selectOption('softmax');
  await expect(page.getByTestId('node-dense_2')).toContainText('[10]');
  await expect(page.getByTestId('total-params')).toContainText(/101[,. ]?770/);
  await expect(page.locator('[data-testid="inspector-error"]')).toHaveCount(0);

  await page.getByTestId('canvas').screenshot({ path: 'test-results/canvas.png' });

  // Train, and stop once the first epoch is on the charts. The run is far longer than that (100 epochs)
  // and only Stop ends it, so neither a fast nor a slow machine can finish it first; every wait is for
  // something the page shows (the log only grows, so its lines cannot be missed).
  const EPOCHS = 100;
  await page.getByTestId('training-epochs').fill(String(EPOCHS));
  await page.getByTestId('training-epochs').press('Enter');
  await expect(page.getByTestId('training-epochs')).toHaveValue(String(EPOCHS));
  await page.getByTestId('train-button').click();
  const progress = page.getByTestId('progress-bar');
  const log = page.locator('.training__log');
  await expect(log).toContainText(`Epoch 1/${EPOCHS} took`, { timeout: 120_000 });
  await expect.poll(async () => page.getByTestId('loss-chart').locator('path.recharts-curve').count()).toBeGreaterThan(0);
  const before = Number(await progress.getAttribute('aria-valuenow'));
  expect(before).toBeGreaterThanOrEqual(100 / EPOCHS); // at least the first epoch

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('training-status')).toHaveText(STOPPED_WITH_MODEL, { timeout: 60_000 });
  const kept = epochsCompletedAtStop(await page.getByTestId('training-status').textContent());
  expect(kept).toBeGreaterThanOrEqual(1);
  expect(kept).toBeLessThan(EPOCHS);
  expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(before);
  await page.getByTestId('training-status').scrollIntoViewIfNeeded();
  await page.locator('.training-panel, [data-testid="loss-chart"]').first().screenshot({ path: 'test-results/charts.png' });
  await page.screenshot({ path: 'test-results/app.png' });

  // The export dialog measures each weight quantization on the test split before the person chooses.
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-quantize-uint8-info')).toContainText(/weights 99\.4 KB, test accuracy (no change|[+−]\d+\.\d points)/, { timeout: 120_000 });
  await expect(page.getByTestId('export-quantize-none-info')).toContainText('test accuracy');
  await page.getByTestId('export-quantize-uint8').click();
  await page.getByTestId('export-confirm').click();
  await expect(page.getByTestId('export-result')).toContainText('model.json');
  const exportsRoot = path.join(app.dataDir, 'exports');
  const [folder] = await fs.readdir(exportsRoot);
  const files = await fs.readdir(path.join(exportsRoot, folder));
  expect(files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'project.neurowire.json', 'code', 'keras', 'graph.svg', 'graph.png', 'summary.md']));
  const modelJson = JSON.parse(await fs.readFile(path.join(exportsRoot, folder, 'model.json'), 'utf8'));
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.weightsManifest[0].weights[0].quantization.dtype).toBe('uint8');
  expect((await fs.stat(path.join(exportsRoot, folder, 'weights.bin'))).size).toBe(101770);

  expect(pageErrors).toEqual([]);
});
