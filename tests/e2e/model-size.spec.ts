import { test, expect, type Page } from '@playwright/test';
import { connect, dropLayer } from './canvas';
import { engineServer } from './engineServer';

// A network far too big for the machine is flagged in the editor, before anyone presses Train.
// The machine the editor sizes against: 24 GB, whatever this one has.
const app = engineServer('model-size', { memoryBytes: 24 * 1024 ** 3 });

async function setParam(page: Page, node: string, key: string, value: string): Promise<void> {
  await page.getByTestId(`node-${node}`).click();
  await page.getByTestId(`param-${key}`).fill(value);
  await page.getByTestId(`param-${key}`).press('Enter');
}

test('Input [5000, 5000] → Flatten → Dense(128): the Dense is flagged with the numbers and Train is disabled until it fits', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  await page.getByTestId('new-button').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  await dropLayer(page, 'Input', 150, 150);
  await dropLayer(page, 'Flatten', 450, 150);
  await dropLayer(page, 'Dense', 750, 150);
  await connect(page, 'input_1', 'flatten_1');
  await connect(page, 'flatten_1', 'dense_1');
  await setParam(page, 'input_1', 'shape', '5000, 5000');
  await setParam(page, 'dense_1', 'units', '128');

  const tooBig = /too big to train on this machine: it needs about 59\.6 GB .* more than half of its 24\.0 GB of memory\. Make dense_1 smaller \(it has 3,200,000,128 parameters\)/;
  await expect(page.getByTestId('inspector-error')).toContainText(tooBig);
  await expect(page.getByTestId('node-dense_1')).toHaveClass(/layer-node--error/);
  await expect(page.getByTestId('node-dense_1')).toContainText('too big to train');
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await expect(page.getByTestId('train-disabled-reason')).toContainText(tooBig);

  // Fewer units: the weights fit, but one batch of 25,000,000-value samples does not; the batch size is named.
  await setParam(page, 'dense_1', 'units', '1');
  await expect(page.getByTestId('node-dense_1')).not.toHaveClass(/layer-node--error/);
  await expect(page.getByTestId('node-input_1')).toHaveClass(/layer-node--error/);
  await expect(page.getByTestId('train-disabled-reason')).toContainText(/one batch of activations 11\.9 GB.* Lower the batch size \(now 32\) or make input_1's output smaller \(25,000,000 values per sample\)/);
  await expect(page.getByTestId('train-button')).toBeDisabled();

  // A smaller batch: it fits, the error goes, Train can start.
  await page.getByTestId('training-batchSize').fill('8');
  await page.getByTestId('training-batchSize').press('Enter');
  await expect(page.getByTestId('node-input_1')).not.toHaveClass(/layer-node--error/);
  await expect(page.getByTestId('train-button')).toBeEnabled();
  expect(pageErrors).toEqual([]);
});
