import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';

// The Summary tab: Keras's model.summary() for the network on the canvas, copied as Markdown through the clipboard.
let server: RunningServer;
let engine: Engine;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-e2e-summary-'));
  engine = new Engine({ host: 'browser', dataDir });
  server = await startServer({ engine, staticDir: path.resolve(__dirname, '../../dist/renderer') });
});

test.afterAll(async () => {
  await engine?.dispose();
  await server?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('the summary table lists every layer with its shape, parameters and inputs, and copies as Markdown', async ({ page, context }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  await page.goto(server.url);
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
