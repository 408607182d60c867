import { test, expect, type Page } from '@playwright/test';
import { connect, dropLayer } from './canvas';
import { engineServer } from './engineServer';

// The network of the issue "An editor people love": a Dense feeding an LSTM is flagged, and one click fixes it.
const app = engineServer('fix');

async function setUnits(page: Page, name: string, units: number): Promise<void> {
  await page.getByTestId(`node-${name}`).click();
  await page.getByTestId('param-units').fill(String(units));
  await page.getByTestId('param-units').press('Enter');
}

test('Conv2D → Dense → LSTM: the LSTM is fixed with one click, undone in one step', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // Input → Conv2D → MaxPooling2D → Flatten on one row, Dense(64) → LSTM → Dense(10) on the next.
  await page.getByTestId('new-button').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  const layers: [string, string, number, number][] = [
    ['Input', 'input_1', 110, 100],
    ['Conv2D', 'conv2d_1', 350, 100],
    ['MaxPooling2D', 'max_pooling2d_1', 590, 100],
    ['Flatten', 'flatten_1', 830, 100],
    ['Dense', 'dense_1', 110, 300],
    ['LSTM', 'lstm_1', 350, 300],
    ['Dense', 'dense_2', 590, 300],
  ];
  for (const [kind, , x, y] of layers) await dropLayer(page, kind, x, y);
  for (const [, name] of layers) await expect(page.getByTestId(`node-${name}`)).toBeVisible();
  for (let i = 1; i < layers.length; i++) await connect(page, layers[i - 1][1], layers[i][1]);
  await setUnits(page, 'dense_1', 64);
  await setUnits(page, 'dense_2', 10);
  await page.getByTestId('param-activation').selectOption('softmax');

  // A self-connection is refused with a word, not silently.
  await connect(page, 'lstm_1', 'lstm_1');
  await expect(page.getByTestId('error-banner')).toContainText('A layer cannot feed itself.');
  await page.getByTestId('error-banner').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // The LSTM is flagged with the message of the issue and a button for each Reshape it suggests.
  await page.getByTestId('node-lstm_1').click();
  await expect(page.getByTestId('inspector-error')).toContainText('insert a Reshape to [64, 1] (or [8, 8])');
  const fixes = page.getByTestId('inspector-error').getByTestId('fix-button');
  await expect(fixes).toHaveText(['Insert Reshape to [64, 1]', 'Insert Reshape to [8, 8]']);
  await fixes.first().click();

  // One click: a Reshape to [64, 1] between the two, the LSTM valid, the whole network ready.
  await expect(page.getByTestId('node-reshape_1')).toContainText('[64, 1]');
  await expect(page.getByTestId('inspector-error')).toHaveCount(0);
  await expect(page.getByTestId('inspector-shape')).toHaveText('[32]');
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');
  await page.getByTestId('canvas').screenshot({ path: 'test-results/one-click-fix.png' });

  // Undo takes the whole fix back in one step; redo puts it back.
  await page.getByTestId('undo-button').click();
  await expect(page.getByTestId('node-reshape_1')).toHaveCount(0);
  await expect(page.getByTestId('inspector-error')).toContainText('insert a Reshape to [64, 1]');
  await page.getByTestId('redo-button').click();
  await expect(page.getByTestId('node-reshape_1')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('No problems');

  expect(pageErrors).toEqual([]);
});
