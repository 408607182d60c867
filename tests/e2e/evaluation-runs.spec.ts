import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';

// Advanced training options, pause/resume, the Evaluation tab and the run history, as a person uses them.
let server: RunningServer;
let engine: Engine;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-eval-e2e-'));
  engine = new Engine({ host: 'browser', dataDir });
  server = await startServer({ engine, staticDir: process.env.NEUROWIRE_RENDERER_DIR ?? path.resolve(__dirname, '../../dist/renderer') });
});

test.afterAll(async () => {
  await engine?.dispose();
  await server?.close();
});

async function setNumber(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
  await expect(page.getByTestId(testId)).toHaveValue(value);
}

async function progressOf(page: Page): Promise<number> {
  return Number(await page.getByTestId('progress-bar').getAttribute('aria-valuenow'));
}

test('train with a schedule and early stopping, pause and resume, evaluate, compare and export runs', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  await page.getByTestId('template-select').selectOption('mnist-mlp');
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');

  // Training tab: 2 epochs, a cosine schedule and early stopping from the Advanced options.
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', '2');
  await setNumber(page, 'training-learningRate', '0.001');
  await page.getByTestId('training-advanced').locator('summary').click();
  await page.getByTestId('training-schedule-type').selectOption('cosine');
  await expect(page.getByTestId('training-schedule-type')).toHaveValue('cosine');
  await expect(page.getByTestId('training-schedule-minLearningRate')).toBeVisible();
  await page.getByTestId('training-early-enabled').check();
  await expect(page.getByTestId('training-early-enabled')).toBeChecked();
  await expect(page.getByTestId('training-early-monitor')).toBeVisible();
  await expect(page.getByTestId('training-early-patience')).toBeVisible();

  // Train; pause during epoch 1, see it hold still, resume, let it complete.
  await page.getByTestId('train-button').click();
  const status = page.getByTestId('training-status');
  await expect(status).toContainText(/epoch 1\/2/, { timeout: 30_000 });
  await expect.poll(() => progressOf(page), { timeout: 30_000 }).toBeGreaterThan(0);
  const pause = page.getByTestId('pause-button');
  await expect(pause).toHaveText('Pause');
  await pause.click();
  await expect(status).toContainText('Paused', { timeout: 15_000 });
  await expect(status).toContainText(/epoch 1\/2/);
  await expect(pause).toHaveText('Resume');
  const held = await progressOf(page);
  expect(held).toBeLessThan(50);
  await page.waitForTimeout(1000);
  expect(await progressOf(page)).toBe(held); // paused means no batches run
  await pause.click();
  await expect(status).toContainText(/Training… epoch/, { timeout: 15_000 });
  await expect.poll(() => progressOf(page), { timeout: 30_000 }).toBeGreaterThan(held);
  await expect(status).toHaveText(/^Completed/, { timeout: 90_000 });
  await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('test-accuracy')).toContainText(/Test accuracy: \d+(\.\d+)?\s?%/);
  const meta = (await page.getByRole('region', { name: 'Training' }).getByText(/test samples$/).textContent()) ?? '';
  const testCount = Number(/([\d,]+) test samples/.exec(meta)?.[1].replace(/,/g, ''));
  expect(testCount).toBeGreaterThan(0);

  // Evaluation tab: the confusion matrix counts every test sample once; 10 classes; mistakes first.
  await page.getByTestId('tab-evaluation').click();
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible();
  await expect(matrix.locator('tbody tr')).toHaveCount(10);
  const cells = await matrix.locator('td.confusion__cell').allTextContents();
  expect(cells).toHaveLength(100);
  expect(cells.reduce((sum, c) => sum + Number(c), 0)).toBe(testCount);
  const diagonal = await matrix.locator('td.confusion__cell--diag').allTextContents();
  expect(diagonal.reduce((sum, c) => sum + Number(c), 0) / testCount).toBeGreaterThan(0.5); // it learned (chance: 0.1)
  await expect(page.getByTestId('eval-per-class').locator('tbody tr')).toHaveCount(10);
  const supports = await page.getByTestId('eval-per-class').locator('tbody tr td:last-child').allTextContents();
  expect(supports.reduce((sum, c) => sum + Number(c.replace(/,/g, '')), 0)).toBe(testCount);
  const gallery = page.getByTestId('prediction-gallery');
  await expect(gallery).toBeVisible();
  const correctness = await gallery.getByTestId('gallery-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-correct')));
  expect(correctness.length).toBeGreaterThan(0);
  const firstRight = correctness.indexOf('true');
  expect(correctness.indexOf('false')).toBe(0); // a mistake leads
  if (firstRight >= 0) expect(correctness.slice(firstRight)).not.toContain('false'); // and every mistake comes before every hit
  // The gallery picks the test set's mistakes first: as many wrong items as fit, out of all the matrix's off-diagonal ones.
  const wrongTotal = testCount - diagonal.reduce((sum, c) => sum + Number(c), 0);
  expect(correctness.filter((c) => c === 'false')).toHaveLength(Math.min(correctness.length, wrongTotal));
  await expect(page.getByText(`mistakes first (${wrongTotal.toLocaleString('en-US')} of ${testCount.toLocaleString('en-US')} test samples are wrong)`)).toBeVisible();
  // Among the mistakes, the least confident come first.
  const wrongConfidence = (await gallery.locator('[data-correct="false"] .gallery__confidence').allTextContents()).map((t) => Number(t.replace('%', '')));
  expect(wrongConfidence).toEqual([...wrongConfidence].sort((a, b) => a - b));
  // The panel grows when its top edge is dragged up, so the whole report fits without scrolling.
  const content = page.locator('.bottom-panel__content');
  const before = (await content.boundingBox())!.height;
  const edge = (await page.getByTestId('bottom-panel-resizer').boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2, edge.y - 220, { steps: 5 });
  await page.mouse.up();
  expect((await content.boundingBox())!.height).toBeGreaterThan(before + 200);
  await page.screenshot({ path: 'test-results/evaluation.png' });

  // Runs tab: the run is listed.
  await page.getByTestId('tab-runs').click();
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('MNIST MLP');
  await expect(rows.first()).toContainText('completed');

  // A second run with another learning rate.
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-learningRate', '0.003');
  await page.getByTestId('train-button').click();
  await expect(status).toContainText(/epoch/, { timeout: 30_000 });
  await expect(status).toHaveText(/^Completed/, { timeout: 90_000 });

  await page.getByTestId('tab-runs').click();
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) await expect(row).toContainText('completed');
  const checks = page.getByTestId('run-select');
  await checks.nth(0).check();
  await checks.nth(1).check();
  await expect(checks.nth(0)).toBeChecked();
  await expect(checks.nth(1)).toBeChecked();
  const overlay = page.getByTestId('runs-overlay-chart');
  await expect(overlay.locator('.recharts-line path.recharts-curve')).toHaveCount(2);
  const legend = overlay.locator('.recharts-legend-item-text');
  await expect(legend).toHaveCount(2);
  const names = await legend.allTextContents();
  expect(names[0]).not.toBe(names[1]); // two runs a few seconds apart are told apart

  // Export the first-listed run from its row.
  await rows.first().getByTestId('run-export').click();
  const result = page.getByTestId('runs-export-result');
  await expect(result).toContainText('model.json');
  await expect(result).toContainText('weights.bin');
  const dir = (await result.locator('code').first().textContent())!.trim();
  const files = await fs.readdir(dir);
  expect(files).toEqual(expect.arrayContaining(['model.json', 'weights.bin']));
  const toast = page.getByTestId('toast').filter({ hasText: 'Exported' });
  await expect(toast).toContainText(dir);
  await toast.getByRole('button', { name: 'Dismiss' }).click(); // as a person would, to see the chart's legend
  await expect(toast).toHaveCount(0);
  await page.mouse.move(5, 5); // no chart tooltip in the picture
  await page.screenshot({ path: 'test-results/runs.png' });

  expect(pageErrors).toEqual([]);
});
