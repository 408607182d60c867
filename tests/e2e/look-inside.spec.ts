import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import { STOPPED_WITH_MODEL } from './training';
import { engineServer } from './engineServer';

// Look inside: while a small CNN trains on MNIST, the Inside tab charts each layer's weight / gradient / step norms;
// once a model is kept, it shows a test sample's feature maps for the convolution and a histogram for the dense
// layer, and the canvas's nodes carry the same as thumbnails while the tab is open. The norms are kept with the run:
// after a reload, and for the run opened from the Runs tab, the same charts are back.
const app = engineServer('inside');

test('train a small CNN on MNIST, see the norm charts, then feature maps, a histogram and the canvas thumbnails', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for what the page shows
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await page.getByTestId('templates-button').click();
  await page.locator('[data-template-id="mnist-small-cnn"]').click();
  await expect(page.getByTestId('node-conv2d_1')).toBeVisible();

  // A run far longer than the test (only Stop ends it), so neither a fast nor a slow machine finishes it first.
  await page.getByTestId('training-epochs').fill('100');
  await page.getByTestId('training-epochs').press('Enter');
  await expect(page.getByTestId('training-epochs')).toHaveValue('100');
  await page.getByTestId('train-button').click();
  await page.getByTestId('tab-inside').click();
  await expect(page.getByTestId('inside-panel')).toBeVisible();
  // About ten measurements an epoch: the first ones draw a chart per layer with trainable weights.
  for (const layer of ['conv2d_1', 'dense_1']) {
    await expect(page.getByTestId(`inside-norms-${layer}`)).toBeVisible({ timeout: 300_000 });
  }
  await expect.poll(async () => page.getByTestId('inside-norms-conv2d_1').locator('path.recharts-curve').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('inside-norms-max_pooling2d_1')).toHaveCount(0); // no weights, no chart
  await page.getByTestId('inside-norms-conv2d_1').scrollIntoViewIfNeeded();
  await page.getByTestId('inside-panel').screenshot({ path: 'test-results/look-inside-norms.png' });

  await page.getByTestId('tab-training').click();
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('training-status')).toHaveText(STOPPED_WITH_MODEL, { timeout: 300_000 });

  // The kept model, test sample 0: every layer drawn by its output's shape.
  await page.getByTestId('tab-inside').click();
  const info = page.getByTestId('inside-sample-info');
  await expect(info).toContainText(/^Test sample 0 of [\d,]+: \d, predicted \d \(\d+(\.\d)? %\)$/, { timeout: 120_000 });
  const conv = page.getByTestId('inside-featuremaps-conv2d_1');
  await expect(conv).toBeVisible();
  await expect(conv.locator('canvas')).toHaveCount(8); // one map per filter
  await expect(conv).toContainText('8 channels of 26×26');
  await expect(page.getByTestId('inside-featuremaps-input_1').locator('canvas')).toHaveCount(1); // the digit itself
  const dense = page.getByTestId('inside-histogram-dense_1');
  await expect(dense).toBeVisible();
  await expect(dense).toContainText('10 values');
  await expect(dense.locator('rect')).not.toHaveCount(0);
  // A feature map is drawn, not blank: some pixel differs from the first.
  const varied = await conv.locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0]) return true;
    return false;
  });
  expect(varied).toBe(true);

  // The same activations on the canvas, as thumbnails on the nodes.
  await expect(page.getByTestId('inside-thumb-conv2d_1').locator('canvas')).not.toHaveCount(0);
  await expect(page.getByTestId('inside-thumb-dense_1').locator('svg')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/look-inside.png' });

  // The next sample.
  await page.getByRole('button', { name: 'Next sample' }).click();
  await expect(info).toContainText(/^Test sample 1 of /);

  // Another tab: the thumbnails leave the canvas.
  await page.getByTestId('tab-training').click();
  await expect(page.getByTestId('inside-thumb-conv2d_1')).toHaveCount(0);
  // The weight-norm line of the convolution as charted live (nothing more comes once the run has stopped).
  await page.getByTestId('tab-inside').click();
  const weightLine = () => page.getByTestId('inside-norms-conv2d_1').locator('path.recharts-curve').first().getAttribute('d');
  const live = await weightLine();
  expect(live).toMatch(/^M/);

  // Reload once the edited project is autosaved: the last run's norms come back from the run history, the same line.
  await expect.poll(async () => JSON.parse(await fs.readFile(app.engine.autosavePath, 'utf8').catch(() => '{}'))?.project?.training?.epochs).toBe(100);
  await page.reload();
  await page.getByTestId('answer-restore').click();
  await page.getByTestId('tab-training').click();
  await expect(page.getByTestId('training-status')).toHaveText(/^Stopped/); // the stored run is the one shown
  await page.getByTestId('tab-inside').click();
  for (const layer of ['conv2d_1', 'dense_1']) await expect(page.getByTestId(`inside-norms-${layer}`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('inside-norms-max_pooling2d_1')).toHaveCount(0);
  await expect.poll(weightLine, { timeout: 60_000 }).toBe(live);

  // A fresh page on the Runs tab: the run's Inside button opens its norms.
  await page.reload();
  await page.getByTestId('answer-restore').click();
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-row').first().getByTestId('run-open-inside').click();
  await expect(page.getByTestId('inside-panel')).toBeVisible();
  await expect(page.getByTestId('inside-norms-dense_1')).toBeVisible({ timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});
