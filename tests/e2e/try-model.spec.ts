import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import { engineServer } from './engineServer';

// Try the model: train the starter MNIST network for one epoch, draw a digit, see its ten class probabilities;
// after a reload the trained model is still in Training and Evaluation.
const app = engineServer('try');

/** A stroke drawn with the mouse across the drawing area, from and to points given as fractions of its size. */
async function drawStroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.getByTestId('try-canvas').boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}

test('draw a digit and see ten class probabilities; a reload keeps the trained model in Training and Evaluation', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for what the page shows
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('node-dense_2')).toBeVisible();

  // Before any training the tab says there is nothing to try yet.
  await page.getByTestId('tab-try').click();
  await expect(page.getByTestId('try-panel')).toContainText('No trained model yet');

  await page.getByTestId('tab-training').click();
  await page.getByTestId('training-epochs').fill('1');
  await page.getByTestId('training-epochs').press('Enter');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('training-status')).toHaveText('Completed', { timeout: 480_000 });
  await expect(page.getByTestId('test-accuracy')).toContainText(/Test accuracy: \d+(\.\d+)?\s?%/);
  const accuracy = await page.getByTestId('test-accuracy').textContent();

  // A "1": one vertical stroke. The model's ten classes each get a bar.
  await page.getByTestId('tab-try').click();
  await expect(page.getByTestId('try-canvas')).toBeVisible();
  await drawStroke(page, [
    [0.5, 0.15],
    [0.5, 0.5],
    [0.52, 0.85],
  ]);
  const output = page.getByTestId('try-output');
  await expect(output).toHaveCount(1);
  await expect(page.getByTestId('try-probability')).toHaveCount(10);
  await expect(output.locator('.recharts-bar-rectangle')).toHaveCount(10);
  const probabilities = await page.getByTestId('try-probability').evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-value'))));
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  const predicted = await page.getByTestId('try-predicted').textContent();
  expect(String(probabilities.indexOf(Math.max(...probabilities)))).toBe(predicted);
  await page.getByTestId('try-panel').screenshot({ path: 'test-results/try-model.png' });

  // Reload once the edited project is autosaved: the restored project shows its last trained model again.
  await expect.poll(async () => JSON.parse(await fs.readFile(app.engine.autosavePath, 'utf8').catch(() => '{}'))?.project?.training?.epochs).toBe(1);
  await page.reload();
  const restore = page.getByTestId('answer-restore');
  await expect(restore).toBeVisible();
  await restore.click();
  await page.getByTestId('tab-training').click();
  await expect(page.getByTestId('training-status')).toHaveText('Completed');
  await expect(page.getByTestId('test-accuracy')).toHaveText(accuracy!);
  // One epoch: the stored curve is one point per line.
  await expect.poll(async () => page.getByTestId('loss-chart').locator('circle.recharts-line-dot').count()).toBeGreaterThan(0);
  await page.getByTestId('tab-evaluation').click();
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('confusion-matrix').locator('tbody tr')).toHaveCount(10);
  // And it can be tried again without training.
  await page.getByTestId('tab-try').click();
  await drawStroke(page, [
    [0.3, 0.3],
    [0.7, 0.3],
    [0.4, 0.8],
  ]);
  await expect(page.getByTestId('try-probability')).toHaveCount(10);

  // An image file picked (a PNG of another size: decoded and resized by the engine), and a file that is no image.
  const digit = Buffer.from(Array.from({ length: 56 * 56 }, (_, i) => (Math.abs((i % 56) - 28) < 4 && Math.floor(i / 56) > 8 && Math.floor(i / 56) < 48 ? 255 : 0)));
  const png = await sharp(digit, { raw: { width: 56, height: 56, channels: 1 } }).png().toBuffer();
  await page.getByTestId('try-file').setInputFiles({ name: 'one.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('try-file-drop').locator('img')).toBeVisible();
  await expect(page.getByTestId('try-probability')).toHaveCount(10);
  await expect(page.getByTestId('try-error')).toHaveCount(0);
  await page.getByTestId('try-file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await expect(page.getByTestId('try-error')).toContainText('"notes.png" cannot be read as an image');
  expect(pageErrors).toEqual([]);
});
