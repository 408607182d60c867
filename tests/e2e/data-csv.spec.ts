import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';

// A person's own CSV in the UI: read it, see the preview and the bad rows, fit the model to it, train.
let server: RunningServer;
let engine: Engine;
let dataDir: string;
let csvFile: string;
/** 1-based line numbers (header = line 1) of the two bad rows written into the file. */
let shortLine: number;
let textLine: number;
const GOOD_ROWS = 600;
const CLASSES = ['low', 'mid', 'high'];

/** Deterministic pseudo-random numbers (mulberry32), so the file is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 600 rows: four numeric features, one categorical feature (color), the 3-class label "tier" in the middle
 * of the columns (so the app's guess — the last column — is wrong and the label must be picked), and two
 * bad rows: one with a missing field, one with text in a numeric column.
 */
function makeCsv(): { text: string; shortLine: number; textLine: number } {
  const rand = rng(7);
  const colors = ['red', 'green', 'blue'];
  const lines = ['x1,x2,tier,x3,x4,color'];
  let short = 0;
  let bad = 0;
  for (let i = 0; i < GOOD_ROWS; i++) {
    const x = [0, 1, 2, 3].map(() => rand() * 4 - 2);
    const color = colors[Math.floor(rand() * 3)];
    const s = x[0] + 0.6 * x[1] + (color === 'red' ? 1 : color === 'blue' ? -1 : 0);
    const tier = s < -0.8 ? 'low' : s < 0.8 ? 'mid' : 'high';
    lines.push([x[0].toFixed(3), x[1].toFixed(3), tier, x[2].toFixed(3), x[3].toFixed(3), color].join(','));
    if (i === 99) {
      lines.push('0.5,-0.25,mid,1.0'); // two fields short: x4 and color missing
      short = lines.length;
    }
    if (i === 299) {
      lines.push('0.1,0.2,low,abc,0.3,red'); // text in the numeric column x3
      bad = lines.length;
    }
  }
  return { text: lines.join('\n') + '\n', shortLine: short, textLine: bad };
}

test.beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-csv-e2e-'));
  const csv = makeCsv();
  csvFile = path.join(dataDir, 'tiers.csv');
  shortLine = csv.shortLine;
  textLine = csv.textLine;
  await fs.writeFile(csvFile, csv.text);
  engine = new Engine({ host: 'browser', dataDir });
  server = await startServer({ engine, staticDir: process.env.NEUROWIRE_RENDERER_DIR ?? path.resolve(__dirname, '../../dist/renderer') });
});

test.afterAll(async () => {
  await engine?.dispose();
  await server?.close();
});

/** Problems the analysis shows on the canvas (nodes drawn as warnings or errors). */
function flaggedNodes(page: Page) {
  return page.locator('.layer-node--warning, .layer-node--error');
}

async function setNumber(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
  await expect(page.getByTestId(testId)).toHaveValue(value);
}

test('load a CSV, see its preview and bad rows, fit the model, train, see the chart', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // Start from the MNIST MLP template: Input(28×28×1) → Flatten → Dense(128) → Dense(10, softmax).
  await page.getByTestId('template-select').selectOption('mnist-mlp');
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');

  // Data tab: a CSV table at a typed path.
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-source-type').selectOption('csv');
  await page.getByTestId('data-path').fill(csvFile);
  await page.getByTestId('data-path').press('Enter');

  // The preview table, with each column's type.
  const table = page.getByTestId('data-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('thead th')).toHaveCount(6);
  await expect(table.locator('thead th').nth(0)).toContainText('x1');
  await expect(table.locator('thead th').nth(0).getByTestId('data-column-type')).toContainText('number');
  await expect(table.locator('thead th').nth(2)).toContainText('tier');
  await expect(table.locator('thead th').nth(2).getByTestId('data-column-type')).toContainText(/category · 3/);
  await expect(table.locator('thead th').nth(5).getByTestId('data-column-type')).toContainText(/category · 3/);
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(3);

  // Both bad rows are listed with file, line and column.
  const problems = page.getByTestId('data-problems');
  await expect(problems).toBeVisible();
  await expect(problems.getByTestId('data-problem-count')).toHaveText('2');
  const items = problems.getByTestId('data-problem');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText(`${csvFile}:${shortLine}:x4`);
  await expect(items.nth(0)).toContainText(/expected 6 fields, found 4/);
  await expect(items.nth(1)).toContainText(`${csvFile}:${textLine}:x3`);
  await expect(items.nth(1)).toContainText(/"abc" is not a number/);

  // The app guessed the last column (color) as the label; the label is "tier".
  const labelSelect = page.getByTestId('data-label-column');
  await expect(labelSelect).toHaveValue('color');
  await labelSelect.selectOption('tier');
  await expect(labelSelect).toHaveValue('tier');
  await expect(page.getByTestId('data-feature-columns-color')).toBeChecked();
  await expect(page.getByTestId('data-feature-columns-tier')).toHaveCount(0);
  await expect(page.getByTestId('data-loading')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('data-samples')).toHaveText(String(GOOD_ROWS));
  // 4 numeric features + the color one-hot encoded.
  await expect(page.getByTestId('data-input-shape')).toContainText('7');
  await expect(page.getByTestId('data-outputs')).toContainText('3');
  for (const c of CLASSES) await expect(page.getByTestId('data-outputs')).toContainText(c);

  // The class balance: one bar per class.
  const balance = page.getByTestId('class-balance');
  await expect(balance).toBeVisible();
  await expect(balance.locator('.recharts-bar-rectangle')).toHaveCount(3);
  for (const c of CLASSES) await expect(balance.locator('.recharts-cartesian-axis-tick-value', { hasText: c })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/data-csv-preview.png' });

  // The MNIST-shaped model does not fit this data: the canvas says so.
  await expect(flaggedNodes(page).first()).toBeVisible();
  await expect(page.getByTestId('node-input_1')).toContainText(/gives samples of shape \[7\]/);
  await expect(page.getByTestId('node-dense_2')).toContainText(/3 classes/);
  await expect(page.getByTestId('problem-count')).not.toHaveText('No problems');

  // Fit the model: Input [7], no Flatten, Dense(3, softmax); the warnings go.
  await page.getByTestId('fit-to-data').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Fitted to tiers.csv' })).toContainText(/removed flatten_1/);
  await expect(flaggedNodes(page)).toHaveCount(0);
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');
  await expect(page.getByTestId('node-dense_2')).toContainText('[3]');
  await expect(page.getByTestId('node-input_1')).toContainText('[7]');
  await expect(page.getByTestId('node-flatten_1')).toHaveCount(0);

  // Undo brings the mismatch back, redo fits again.
  await page.getByTestId('undo-button').click();
  await expect(page.getByTestId('node-flatten_1')).toBeVisible();
  await expect(flaggedNodes(page).first()).toBeVisible();
  await expect(page.getByTestId('problem-count')).not.toHaveText('No problems');
  await page.getByTestId('redo-button').click();
  await expect(page.getByTestId('node-flatten_1')).toHaveCount(0);
  await expect(flaggedNodes(page)).toHaveCount(0);
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');
  await expect(page.getByTestId('node-dense_2')).toContainText('[3]');

  // Train for a few epochs.
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', '8');
  await setNumber(page, 'training-learningRate', '0.01');
  await expect(page.getByTestId('train-button')).toBeEnabled();
  await page.getByTestId('train-button').click();
  await expect.poll(async () => page.getByTestId('loss-chart').locator('path.recharts-curve').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('training-status')).toHaveText(/Completed/, { timeout: 60_000 });
  await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '100');
  // Epoch points on both charts (one dot per epoch for the training curve, plus validation).
  await expect.poll(async () => page.getByTestId('acc-chart').locator('.recharts-line-dot, .recharts-dot').count()).toBeGreaterThanOrEqual(8);
  const accText = (await page.getByTestId('test-accuracy').textContent()) ?? '';
  const acc = Number(/Test accuracy: (\d+(?:\.\d+)?)\s?%/.exec(accText)?.[1]);
  expect(acc, accText).toBeGreaterThanOrEqual(60); // chance is 33 %
  await page.screenshot({ path: 'test-results/data-csv.png' });

  // Bad rows set to "stop": training fails with the first bad row's file:line, and the app keeps working.
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-bad-rows').selectOption('stop');
  await expect(page.getByTestId('data-bad-rows')).toHaveValue('stop');
  await page.getByTestId('tab-training').click();
  await expect(page.getByTestId('train-button')).toBeEnabled();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('training-status')).toHaveText('Failed', { timeout: 30_000 });
  await expect(page.getByTestId('training-error')).toContainText(`Bad row in ${csvFile}:${shortLine}:x4: expected 6 fields, found 4`);
  await expect(page.getByTestId('training-error')).toContainText(/1 more bad row/);
  // The same message in the error banner, said once.
  const banner = page.getByTestId('error-banner').filter({ hasText: `${csvFile}:${shortLine}` });
  await expect(banner).toHaveCount(1);
  await expect(banner).not.toContainText(/Training failed:.*Training failed:/);
  await page.screenshot({ path: 'test-results/data-csv-stop.png' });
  await expect(page.getByTestId('train-button')).toBeEnabled();
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);

  // Still working: back to skipping the bad rows, a one-epoch run completes.
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-bad-rows').selectOption('skip');
  await expect(page.getByTestId('data-problems')).toBeVisible();
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', '1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('training-status')).toHaveText(/Completed/, { timeout: 60_000 });
  await expect(page.getByTestId('test-accuracy')).toBeVisible();

  expect(pageErrors).toEqual([]);
});
