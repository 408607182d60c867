import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainingEvent } from '../../main/core/api/contract';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';

// "GPU without CUDA" in browser mode: the page that presses Train trains on its own WebGPU / WebGL
// (SwiftShader here) with the same loop as the Node worker, and reports back through the engine.
let server: RunningServer;
let engine: Engine;
let dataDir: string;
const events: TrainingEvent[] = [];

test.beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-gpu-e2e-'));
  engine = new Engine({ host: 'browser', dataDir });
  engine.onEvent((event, payload) => {
    if (event === 'training') events.push(payload as TrainingEvent);
  });
  // NEUROWIRE_RENDERER_DIR: a renderer built elsewhere (default: what `vite build` wrote).
  server = await startServer({ engine, staticDir: process.env.NEUROWIRE_RENDERER_DIR ?? path.resolve(__dirname, '../../dist/renderer') });
});

test.afterAll(async () => {
  await engine?.dispose();
  await server?.close();
});

test('train a small CNN on the browser GPU, see it in the run list, export it', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // The small CNN template, on a small slice of MNIST: 1,500 training samples, one epoch.
  const project = JSON.parse(await fs.readFile(path.resolve(__dirname, '../../templates/mnist-small-cnn.json'), 'utf8'));
  project.name = 'Small CNN on the GPU';
  project.dataset.validationFraction = 0.4;
  project.dataset.testFraction = 0.45;
  project.training.epochs = 1;
  project.training.learningRate = 0.002;
  await fs.mkdir(engine.projectsDir, { recursive: true });
  const file = path.join(engine.projectsDir, 'small-cnn.neurowire.json');
  await fs.writeFile(file, JSON.stringify(project, null, 2));

  await page.goto(server.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await page.getByTestId('open-button').click();
  await page.getByTestId('open-path').fill(file);
  await page.getByTestId('open-confirm').click();
  await expect(page.getByTestId('node-conv2d_1')).toBeVisible();
  await expect(page.getByTestId('node-max_pooling2d_1')).toBeVisible();

  const compute = page.getByTestId('compute-select');
  await expect(compute.locator('option')).toHaveText([/^Node \((CPU|GPU): \w/, "This browser's GPU (WebGPU/WebGL)"]);
  await expect(compute.locator('option[value="browser-gpu"]')).toBeEnabled(); // the probe found WebGL
  await compute.selectOption('browser-gpu');

  await page.getByTestId('train-button').click();
  await expect(page.getByRole('region', { name: 'Training' }).getByText(/Backend: web(gl|gpu) — GPU \(Web(GL|GPU) via Chromium/)).toBeVisible({ timeout: 60_000 });
  const progress = page.getByTestId('progress-bar');
  await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect.poll(async () => page.getByTestId('loss-chart').locator('path.recharts-curve').count(), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('training-status')).toHaveText(/Completed/, { timeout: 150_000 });
  await expect(page.getByTestId('test-accuracy')).toContainText(/Test accuracy: \d+(\.\d+)?\s?%/);
  await expect(progress).toHaveAttribute('aria-valuenow', '100');
  await page.screenshot({ path: 'test-results/gpu-compute.png' });

  // What went over the engine's training stream (what run history and every client see).
  const started = events.find((e): e is Extract<TrainingEvent, { type: 'started' }> => e.type === 'started')!;
  expect(started.backend.name).toMatch(/^web(gl|gpu)$/);
  expect(started.backend.device).toMatch(/via Chromium/);
  if (started.backend.name === 'webgl') expect(started.backend.attempts.find((a) => a.name === 'webgpu')?.reason).toBeTruthy();
  expect(started.trainSamples).toBe(1500);
  const batches = events.filter((e): e is Extract<TrainingEvent, { type: 'batch' }> => e.type === 'batch');
  const epochs = events.filter((e): e is Extract<TrainingEvent, { type: 'epoch' }> => e.type === 'epoch');
  expect(batches.length).toBeGreaterThan(1);
  expect(epochs).toHaveLength(1);
  expect(epochs[0].metrics.loss).toBeLessThan(batches[0].loss); // it learned
  expect(events.some((e) => e.type === 'evaluation')).toBe(true);
  const done = events.find((e): e is Extract<TrainingEvent, { type: 'done' }> => e.type === 'done')!;
  expect(done).toMatchObject({ status: 'completed', hasModel: true, epochsCompleted: 1 });
  expect(done.test!.acc).toBeGreaterThan(0.3);
  console.log(
    `[gpu-compute] ${started.backend.name} on ${started.backend.device}: ${Math.round(batches.at(-1)!.samplesPerSec)} samples/s; ` +
      `loss ${batches[0].loss.toFixed(3)} → ${epochs[0].metrics.loss.toFixed(3)}; test accuracy ${(done.test!.acc * 100).toFixed(1)} %`,
  );

  for (const e of events) if (e.type === 'log') console.log(`[gpu-compute] log: ${e.message}`);

  // The engine's run list (where run history is wired into the engine) and export work for it.
  const runs = (await engine.dispatch('runs.list', {}).catch(() => null)) as { runId: string; status: string }[] | null;
  if (runs) expect(runs.find((r) => r.runId === done.runId)).toMatchObject({ status: 'completed' });
  await page.getByTestId('export-button').click();
  await page.getByTestId('export-confirm').click();
  await expect(page.getByTestId('export-result')).toContainText('model.json');
  const exportsRoot = path.join(dataDir, 'exports');
  const [folder] = await fs.readdir(exportsRoot);
  const modelJson = JSON.parse(await fs.readFile(path.join(exportsRoot, folder, 'model.json'), 'utf8'));
  expect(modelJson.format).toBe('layers-model');
  expect(JSON.stringify(modelJson.modelTopology)).toContain('Conv2D');
  const weightsBin = await fs.stat(path.join(exportsRoot, folder, 'weights.bin'));
  expect(weightsBin.size).toBe(13_610 * 4);
  // Trained in the page by the same job as a Node run, so it exports the same description of its data.
  expect(modelJson.userDefinedMetadata?.neurowire).toMatchObject({ dataset: 'MNIST', task: 'classification', inputShape: [28, 28, 1] });
  const preprocessing = JSON.parse(await fs.readFile(path.join(exportsRoot, folder, 'preprocessing.json'), 'utf8'));
  expect(preprocessing).toMatchObject({ task: 'classification', inputShape: [28, 28, 1] });

  expect(pageErrors).toEqual([]);
});
