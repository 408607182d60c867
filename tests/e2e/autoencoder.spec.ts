import { test, expect, type Page } from '@playwright/test';
import { engineServer } from './engineServer';

// The convolutional autoencoder from the gallery: its data's target is the input itself, and the Evaluation tab
// shows test digits above their reconstructions.
const app = engineServer('autoencoder');

async function setNumber(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
  await expect(page.getByTestId(testId)).toHaveValue(value);
}

test('open the autoencoder from the gallery, train briefly, see the test digits above their reconstructions', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; every wait below is for something the page shows
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('node-dense_2')).toBeVisible();

  await page.getByTestId('templates-button').click();
  const card = page.getByTestId('template-gallery').locator('[data-template-id="mnist-autoencoder"]');
  await expect(card.getByTestId('template-dataset')).toHaveText('MNIST');
  await expect(card.getByTestId('template-description')).toContainText(/test MSE \d+\.\d+ after \d+ epochs/i);
  await expect(card.getByTestId('template-thumbnail-node')).toHaveCount(8);
  await card.click();
  await expect(page.getByTestId('project-title')).toContainText('MNIST convolutional autoencoder');
  await expect(page.getByTestId('node-conv2d_transpose_1')).toBeVisible();
  await expect(page.getByTestId('node-up_sampling2d_1')).toBeVisible();
  // The output has the input's shape, which is what the data asks for: nothing to fix.
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');

  // The Data tab: the network outputs the input itself. A small training split keeps the run brief.
  await page.getByTestId('tab-data').click();
  await expect(page.getByTestId('data-target')).toHaveValue('input');
  await expect(page.getByTestId('data-task-summary')).toHaveText('reconstruction (the input is the target)');
  await expect(page.getByTestId('data-outputs')).toHaveText('784 [28, 28, 1]');
  await setNumber(page, 'data-val-pct', '10');
  await setNumber(page, 'data-test-pct', '45');

  await page.getByTestId('tab-training').click();
  await setNumber(page, 'training-epochs', '1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('training-status')).toHaveText(/^Completed/, { timeout: 300_000 });
  await expect(page.getByTestId('test-reconstruction')).toContainText(/Test reconstruction MSE: \d/);

  await page.getByTestId('tab-evaluation').click();
  const grid = page.getByTestId('reconstruction-grid');
  await expect(grid).toBeVisible();
  const items = grid.getByTestId('reconstruction-item');
  expect(await items.count()).toBeGreaterThanOrEqual(12);
  // Each item: the original above its reconstruction, both drawn as 28×28 pictures.
  const first = items.first();
  const original = first.getByTestId('reconstruction-original');
  const output = first.getByTestId('reconstruction-output');
  await expect(original).toHaveAttribute('width', '28');
  await expect(output).toHaveAttribute('height', '28');
  const [top, bottom] = [await original.boundingBox(), await output.boundingBox()];
  expect(bottom!.y).toBeGreaterThan(top!.y + top!.height - 1);
  // The reconstruction is drawn: some of its pixels are lit, as in the digit above it.
  const lit = await output.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
    return n;
  });
  expect(lit).toBeGreaterThan(0);
  const mse = Number(await page.getByTestId('eval-mse').textContent());
  const baseline = Number(await page.getByTestId('eval-baseline-mse').textContent());
  expect(mse).toBeGreaterThan(0);
  expect(mse).toBeLessThan(baseline);
  await expect(page.getByTestId('eval-psnr')).toContainText('dB');
  await page.getByTestId('evaluation-panel').screenshot({ path: 'test-results/autoencoder-reconstructions.png' });
  expect(pageErrors).toEqual([]);
});
