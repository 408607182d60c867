import { test, expect } from '@playwright/test';
import { engineServer } from './engineServer';

// The Summary tab: Keras's model.summary() for the network on the canvas, copied as Markdown through the clipboard.
const app = engineServer('summary');

test('the summary table lists every layer with its shape, parameters and inputs, and copies as Markdown', async ({ page, context }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
  await page.goto(app.url);
  await page.getByTestId('templates-button').click();
  await page.getByTestId('template-gallery').locator('[data-template-id="mnist-resnet"]').click();
  await expect(page.getByTestId('project-title')).toContainText(/ResNet/i);

  await page.getByTestId('tab-summary').click();
  const table = page.getByTestId('summary-table');
  await expect(table).toBeVisible();
  await expect(page.getByTestId('summary-row-input_1')).toContainText('(None, 28, 28, 1)');
  // The skip connection: the Add lists both layers it joins.
  const addRow = table.locator('tr', { hasText: 'Add' }).first();
  await expect(addRow.locator('td').nth(4)).toContainText(',');
  await expect(page.getByTestId('summary-totals')).toContainText(/[\d,]+ parameters \([\d,]+ trainable, [1-9][\d,]* non-trainable\)/);
  await page.screenshot({ path: 'test-results/summary-table.png' });

  await page.getByTestId('summary-copy-markdown').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.split('\n')[0]).toBe('| Layer (type) | Output Shape | Param # | Connected to |');
  expect(copied).toContain('| input_1 (Input) | (None, 28, 28, 1) | 0 | - |');
  expect(copied).toMatch(/- Total params: [\d,]+/);
});
