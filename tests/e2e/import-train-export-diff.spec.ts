import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { engineServer } from './engineServer';
import { tfjsMlpModel } from './tfjsModel';

// A model someone already has, through the whole app: import it with its weights, see it laid out, train it,
// export it, and compare the export with the original file.
const app = engineServer('import-train-export-diff');

const HIDDEN = 24;
/** Flatten → Dense(HIDDEN, relu) → Dense(10, softmax), seeded weights in ±0.05. */
const originalModel = () => tfjsMlpModel({ hidden: HIDDEN, seed: 7, scale: 0.05, folderPrefix: 'neurowire-e2e-roundtrip-' });

test('import a model with its weights, see it laid out, train, export, compare the export with the original', async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for what the page shows
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const original = originalModel();
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  await page.getByTestId('import-model-input').setInputFiles([path.join(original, 'model.json'), path.join(original, 'weights.bin')]);
  await expect(page.getByText(/trained weights kept \(4 weights of 2 layers/)).toBeVisible({ timeout: 60_000 });
  const expectedParams = 784 * HIDDEN + HIDDEN + HIDDEN * 10 + 10;
  await expect(page.getByTestId('total-params')).toContainText(expectedParams.toLocaleString('en-US'));

  // Laid out left to right, in the order the layers follow each other.
  const names = ['flatten', 'hidden', 'digits'];
  const boxes = [];
  for (const name of names) {
    await expect(page.getByTestId(`node-${name}`)).toBeVisible();
    boxes.push((await page.getByTestId(`node-${name}`).boundingBox())!);
  }
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].x).toBeGreaterThan(boxes[i - 1].x + boxes[i - 1].width / 2);

  // Fine-tune for one epoch on MNIST, starting from the imported weights.
  await page.getByTestId('training-epochs').fill('1');
  await page.getByTestId('training-epochs').press('Enter');
  await page.getByTestId('train-button').click();
  await expect(page.locator('.training__log')).toContainText(/imported|starting weights|weights/i, { timeout: 120_000 });
  await expect(page.getByTestId('training-status')).toContainText(/Completed/i, { timeout: 300_000 });

  await page.getByTestId('export-button').click();
  await page.getByTestId('export-confirm').click();
  await expect(page.getByTestId('export-result')).toContainText('model.json', { timeout: 120_000 });
  const exportsRoot = path.join(app.dataDir, 'exports');
  const [folder] = await fs.readdir(exportsRoot);
  const exported = path.join(exportsRoot, folder, 'model.json');

  // The export against the file it came from: the same network (names, settings, shapes and parameters).
  await page.getByTestId('compare-button').click();
  const dialog = page.getByTestId('compare-dialog');
  await dialog.getByTestId('compare-source-a').selectOption('other');
  await dialog.getByTestId('compare-path-a').fill(path.join(original, 'model.json'));
  await dialog.getByTestId('compare-source-b').selectOption('other');
  await dialog.getByTestId('compare-path-b').fill(exported);
  await dialog.getByTestId('compare-run').click();
  await expect(dialog.getByTestId('compare-summary')).toContainText(`The two networks are the same: 4 layers, ${expectedParams.toLocaleString('en-US')} parameters.`, { timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});
