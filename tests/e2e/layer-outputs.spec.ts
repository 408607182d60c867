import { test, expect, type Page } from '@playwright/test';
import { dropLayer } from './canvas';
import { engineServer } from './engineServer';

// A layer with several outputs on the canvas: an encoder LSTM returning its state gets a handle per output, and its
// states, wired into a second LSTM, start it (the sequence-to-sequence pattern), with the edges saying what they carry.
const app = engineServer('outputs');

async function select(page: Page, node: string): Promise<void> {
  await page.getByTestId(`node-${node}`).click();
}

test('an LSTM returning its state gets a handle per output; its states start another LSTM', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await page.getByTestId('new-button').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);

  await dropLayer(page, 'Input', 110, 200);
  await dropLayer(page, 'LSTM', 400, 90);
  await dropLayer(page, 'LSTM', 700, 300);
  for (const name of ['input_1', 'lstm_1', 'lstm_2']) await expect(page.getByTestId(`node-${name}`)).toBeVisible();
  await select(page, 'input_1');
  await page.getByTestId('param-shape').fill('10, 4');
  await page.getByTestId('param-shape').press('Enter');

  // One output until Return state is on; then the main output and the states h and c, each a handle of its own.
  await expect(page.getByTestId('handle-out-lstm_1-1')).toHaveCount(0);
  await select(page, 'lstm_1');
  await page.getByTestId('param-returnState').check();
  await expect(page.getByTestId('handle-out-lstm_1-1')).toBeVisible();
  await expect(page.getByTestId('handle-out-lstm_1-2')).toBeVisible();
  await expect(page.getByTestId('node-lstm_1')).toContainText('state h');
  await expect(page.getByTestId('node-lstm_1')).toContainText('state c');

  await page.getByTestId('handle-out-input_1').dragTo(page.getByTestId('handle-in-lstm_1'));
  await page.getByTestId('handle-out-input_1').dragTo(page.getByTestId('handle-in-lstm_2'));
  await page.getByTestId('handle-out-lstm_1-1').dragTo(page.getByTestId('handle-in-lstm_2'));
  // Half-way: one state of two is an error on the decoder that says what is missing.
  await expect(page.getByTestId('node-lstm_2')).toContainText(/starts from 2 states \(state h, state c\), but 1 is connected/);
  await page.getByTestId('handle-out-lstm_1-2').dragTo(page.getByTestId('handle-in-lstm_2'));

  // Each edge says which output it leaves from and which input it enters.
  await expect(page.locator('.react-flow__edge-text', { hasText: 'state h → initial state h · [32]' })).toHaveCount(1);
  await expect(page.locator('.react-flow__edge-text', { hasText: 'state c → initial state c · [32]' })).toHaveCount(1);
  await expect(page.getByTestId('shape-lstm_2')).toHaveText('→ [32]');
  await expect(page.getByTestId('node-lstm_2')).not.toHaveClass(/layer-node--error/);
  await expect(page.getByTestId('node-lstm_1')).not.toHaveClass(/layer-node--error/);

  // Turning Return state off leaves the decoder connected to outputs that are gone: it says so.
  await select(page, 'lstm_1');
  await page.getByTestId('param-returnState').uncheck();
  await expect(page.getByTestId('node-lstm_2')).toContainText(/output 2 of lstm_1, which lstm_1 does not give/);
  // Undo brings the states back, and the decoder is whole again.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('handle-out-lstm_1-2')).toBeVisible();
  await expect(page.getByTestId('node-lstm_2')).not.toHaveClass(/layer-node--error/);
  await page.screenshot({ path: 'test-results/layer-outputs.png' });
  expect(pageErrors).toEqual([]);
});
