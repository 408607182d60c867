import { test, expect } from '@playwright/test';
import { promises as fs, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../main/core/random';
import { engineServer } from './engineServer';

// A model someone already has, through the whole app: import it with its weights, see it laid out, train it,
// export it, and compare the export with the original file.
const app = engineServer('import-train-export-diff');

const HIDDEN = 24;
/** Flatten → Dense(24, relu) → Dense(10, softmax) on MNIST-shaped input, with seeded weights, as tfjs saves it. */
function originalModel(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'neurowire-e2e-roundtrip-'));
  const layers = [
    { class_name: 'Flatten', config: { name: 'flatten', batch_input_shape: [null, 28, 28, 1] } },
    { class_name: 'Dense', config: { name: 'hidden', units: HIDDEN, activation: 'relu', use_bias: true } },
    { class_name: 'Dense', config: { name: 'digits', units: 10, activation: 'softmax', use_bias: true } },
  ];
  const shapes: Array<[string, number[]]> = [
    ['hidden/kernel', [784, HIDDEN]],
    ['hidden/bias', [HIDDEN]],
    ['digits/kernel', [HIDDEN, 10]],
    ['digits/bias', [10]],
  ];
  const random = mulberry32(7);
  const values = shapes.flatMap(([, shape]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * 0.1));
  const json = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'digits_mlp', layers } },
    weightsManifest: [{ paths: ['weights.bin'], weights: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Float32Array(values).buffer));
  return dir;
}

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
