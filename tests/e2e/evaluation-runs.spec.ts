import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import type { TrainingEvent } from '../../main/core/api/contract';
import { STOPPED_WITH_MODEL, epochsCompletedAtStop } from './training';
import { engineServer } from './engineServer';

// Advanced training options, pause/resume/stop, the Evaluation tab and the run history, as a person uses them.
const app = engineServer('eval');

async function setNumber(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
  await expect(page.getByTestId(testId)).toHaveValue(value);
}

async function progressOf(page: Page): Promise<number> {
  return Number(await page.getByTestId('progress-bar').getAttribute('aria-valuenow'));
}

test('train with a schedule and early stopping, pause, resume and stop, evaluate, compare and export runs', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; every wait below is for an event
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  await page.getByTestId('template-select').selectOption('mnist-mlp');
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');

  // Training tab: a cosine schedule and early stopping from the Advanced options. The run is far longer
  // than the test needs (100 epochs; patience as long as the run, so early stopping cannot end it): it
  // ends by Stop, so no machine is fast enough to finish it before Pause or Stop arrives.
  const EPOCHS = 100;
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', String(EPOCHS));
  await setNumber(page, 'training-learningRate', '0.001');
  await page.getByTestId('training-advanced').locator('summary').click();
  await page.getByTestId('training-schedule-type').selectOption('cosine');
  await expect(page.getByTestId('training-schedule-type')).toHaveValue('cosine');
  await expect(page.getByTestId('training-schedule-minLearningRate')).toBeVisible();
  await page.getByTestId('training-early-enabled').check();
  await expect(page.getByTestId('training-early-enabled')).toBeChecked();
  await expect(page.getByTestId('training-early-monitor')).toBeVisible();
  await setNumber(page, 'training-early-patience', String(EPOCHS));

  // What the engine sends (the same stream the page gets), to check the pause from the trainer's side.
  const engineEvents: TrainingEvent[] = [];
  const unsubscribe = app.engine.onEvent((kind, payload) => {
    if (kind === 'training') engineEvents.push(payload as TrainingEvent);
  });

  // Train. Every step waits for an event the page shows (a log line, a status), never for time: the log
  // only grows, so a line cannot be missed the way a passing "epoch 1/2" status can.
  await page.getByTestId('train-button').click();
  const status = page.getByTestId('training-status');
  const log = page.locator('.training__log');
  await log.locator('summary').click(); // open the log, as a person watching the run would
  await expect(log).toContainText(`Epoch 1/${EPOCHS} took`, { timeout: 120_000 });

  // Pause: wherever the run is when it arrives, it holds there and says so.
  const pause = page.getByTestId('pause-button');
  await expect(pause).toHaveText('Pause');
  await pause.click();
  await expect(log).toContainText(/Paused in epoch \d+ before batch \d+\./, { timeout: 30_000 }); // the trainer has stopped between batches
  const pausedAt = /Paused in epoch (\d+) before batch (\d+)\./.exec((await log.textContent()) ?? '')!;
  const epoch = Number(pausedAt[1]);
  expect(epoch).toBeGreaterThanOrEqual(2); // paused after epoch 1's log line arrived
  expect(epoch).toBeLessThan(EPOCHS);
  await expect(status).toHaveText(`Paused — epoch ${epoch}/${EPOCHS}`);
  await expect(pause).toHaveText('Resume');
  const held = await progressOf(page);
  // The bar agrees with the epoch: within epoch `epoch` of EPOCHS.
  expect(held).toBeGreaterThanOrEqual(((epoch - 1) * 100) / EPOCHS);
  expect(held).toBeLessThanOrEqual((epoch * 100) / EPOCHS);
  // A second of looking at it: nothing moves (0.1 % of the bar is a quarter of an epoch here).
  await page.waitForTimeout(1000);
  expect(await progressOf(page)).toBe(held);
  await expect(status).toHaveText(`Paused — epoch ${epoch}/${EPOCHS}`);

  // Resume: training goes on from there and finishes the paused epoch.
  await pause.click();
  await expect(log).toContainText('Resumed.', { timeout: 30_000 });
  await expect(status).toHaveText(new RegExp(`^Training… epoch \\d+/${EPOCHS}$`));
  await expect(log).toContainText(`Epoch ${epoch}/${EPOCHS} took`, { timeout: 120_000 });
  expect(await progressOf(page)).toBeGreaterThanOrEqual((epoch * 100) / EPOCHS);

  // Stop: the model trained so far is kept, and evaluated on the test set.
  await page.getByTestId('stop-button').click();
  await expect(status).toHaveText(STOPPED_WITH_MODEL, { timeout: 60_000 });
  const completed = epochsCompletedAtStop(await status.textContent());
  expect(completed).toBeGreaterThanOrEqual(epoch);
  expect(completed).toBeLessThan(EPOCHS);

  // The trainer's side of the pause: nothing trained between its paused and running states, then it did.
  unsubscribe();
  const run1 = engineEvents.find((e) => e.type === 'started')!.runId;
  const kinds = engineEvents.filter((e) => e.runId === run1).map((e) => (e.type === 'state' ? e.state : e.type));
  expect(kinds.filter((k) => k === 'paused' || k === 'running')).toEqual(['paused', 'running']);
  const [p, r] = [kinds.indexOf('paused'), kinds.indexOf('running')];
  expect(kinds.slice(p, r)).not.toContain('batch');
  expect(kinds.slice(r)).toContain('batch');
  expect(kinds.at(-1)).toBe('done');

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

  // Runs tab: the run is listed, as stopped.
  await page.getByTestId('tab-runs').click();
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('MNIST MLP');
  await expect(rows.first()).toContainText('stopped');

  // A second run, 2 epochs with another learning rate, left to complete on its own.
  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', '2');
  await setNumber(page, 'training-learningRate', '0.003');
  await page.getByTestId('train-button').click();
  await expect(status).toHaveText(/^Completed/, { timeout: 180_000 });
  await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '100');
  await expect(log).toContainText('Epoch 2/2 took');

  await page.getByTestId('tab-runs').click();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('completed'); // newest first
  await expect(rows.nth(1)).toContainText('stopped');
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
  await page.getByTestId('export-confirm').click();
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
