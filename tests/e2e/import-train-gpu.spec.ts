import { test, expect } from '@playwright/test';
import path from 'node:path';
import type { TrainingEvent } from '../../main/core/api/contract';
import { engineServer } from './engineServer';
import { tfjsMlpModel } from './tfjsModel';

// An imported model trained on this browser's GPU starts from its imported weights, as on Node: the first batch of a
// page-trained run has the loss of the Node run's first batch (the imported model's predictions on the same samples).
const app = engineServer('import-train-gpu');

const HIDDEN = 16;
/** Flatten → Dense(HIDDEN, relu) → Dense(10, softmax), seeded weights in ±1. */
const originalModel = () => tfjsMlpModel({ hidden: HIDDEN, seed: 17, scale: 1, folderPrefix: 'neurowire-e2e-import-gpu-' });

type BatchEvent = Extract<TrainingEvent, { type: 'batch' }>;

test("an imported model trained on the browser GPU starts from its weights: its first batch is the Node run's", async ({ page }) => {
  test.setTimeout(600_000); // a safety net for a loaded machine; the waits below are for what the runs report
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const events: TrainingEvent[] = [];
  app.engine.onEvent((event, payload) => {
    if (event === 'training') events.push(payload as TrainingEvent);
  });
  const original = originalModel();
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await page.getByTestId('import-model-input').setInputFiles([path.join(original, 'model.json'), path.join(original, 'weights.bin')]);
  await expect(page.getByText(/trained weights kept \(4 weights of 2 layers/)).toBeVisible({ timeout: 60_000 });

  /** Trains where `compute` says until the first batch is reported, then stops; that batch and the run's log. */
  const firstBatch = async (compute: 'browser-gpu' | 'node') => {
    await page.getByTestId('compute-select').selectOption(compute);
    const from = events.length;
    await page.getByTestId('train-button').click();
    const ofRun = () => events.slice(from);
    await expect.poll(() => ofRun().some((e) => e.type === 'batch' || e.type === 'done'), { timeout: 240_000 }).toBe(true);
    const batch = ofRun().find((e): e is BatchEvent => e.type === 'batch');
    expect(batch, JSON.stringify(ofRun().filter((e) => e.type === 'log' || e.type === 'done'))).toBeDefined();
    await page.getByTestId('stop-button').click();
    await expect.poll(() => ofRun().some((e) => e.type === 'done'), { timeout: 120_000 }).toBe(true);
    const started = ofRun().find((e): e is Extract<TrainingEvent, { type: 'started' }> => e.type === 'started')!;
    return { batch: batch!, backend: started.backend.name, logs: ofRun().flatMap((e) => (e.type === 'log' ? [e.message] : [])) };
  };

  const gpu = await firstBatch('browser-gpu');
  expect(gpu.backend).toMatch(/^web(gl|gpu)$/);
  expect(gpu.logs).toContain("Starting from the project's trained weights (4 weights).");
  expect(gpu.logs.join('\n')).not.toMatch(/cannot be read here|fresh weights/);

  const node = await firstBatch('node');
  expect(node.logs).toContain("Starting from the project's trained weights (4 weights).");
  expect([gpu.batch.epoch, gpu.batch.batch]).toEqual([0, 0]);
  expect([node.batch.epoch, node.batch.batch]).toEqual([0, 0]);
  // The imported weights give a loss far above a fresh start's (about ln 10 = 2.3); both hosts see the same one.
  expect(node.batch.loss).toBeGreaterThan(4);
  expect(Math.abs(gpu.batch.loss - node.batch.loss)).toBeLessThan(1e-3 * node.batch.loss);
  expect(pageErrors).toEqual([]);
});
