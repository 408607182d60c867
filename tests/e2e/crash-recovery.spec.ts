import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../main/node/engine';
import { startServer, type RunningServer } from '../../main/node/server/server';
import { emptyProject, parseProject, serializeProject } from '../../main/core/project';
import { dropLayer } from './canvas';

// Work never saved survives the engine being killed: the next start offers it back, naming the project, and
// restoring or declining loses neither the saved file nor the unsaved work.
const staticDir = process.env.NEUROWIRE_RENDERER_DIR ?? path.resolve(__dirname, '../../dist/renderer');
let dataDir: string;
let projectFile: string;
let running: { engine: Engine; server: RunningServer } | null = null;

/** Starts the engine and its server on the data folder, as `npm run serve` does. */
async function start(): Promise<RunningServer> {
  const engine = new Engine({ host: 'browser', dataDir });
  const server = await startServer({ engine, staticDir });
  running = { engine, server };
  return server;
}

/** Ends the server the way a kill would: the engine is never told (no dispose), and the page is simply gone. */
async function kill(page: Page): Promise<void> {
  await page.goto('about:blank');
  await running?.server.close();
  running = null;
}

const savedNodeNames = async () => parseProject(await fs.readFile(projectFile, 'utf8')).graph.nodes.map((n) => n.name);

/** Waits until the engine's autosave slot holds the document with `layer` in it, marked unsaved. */
async function autosaved(layer: string): Promise<void> {
  await expect
    .poll(async () => {
      const record = JSON.parse(await fs.readFile(path.join(dataDir, 'autosave.neurowire.json'), 'utf8').catch(() => '{}'));
      return record.dirty === true && record.project?.graph.nodes.some((n: { name: string }) => n.name === layer);
    })
    .toBe(true);
}

test.beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-recovery-e2e-'));
  projectFile = path.join(dataDir, 'projects', 'spirals.neurowire');
  await fs.mkdir(path.dirname(projectFile), { recursive: true });
  await fs.writeFile(projectFile, serializeProject(emptyProject('Spirals')));
});

test.afterAll(async () => {
  await running?.engine.dispose();
  await running?.server.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('a project edited and never saved is offered back after a kill: Restore brings it back; Don’t Restore keeps it aside', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  let server = await start();
  await page.goto(server.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // Open the saved project, and change it without saving.
  await page.getByTestId('open-button').click();
  await page.getByTestId('open-path').fill(projectFile);
  await page.getByTestId('open-confirm').click();
  await expect(page.getByTestId('project-title')).toContainText('Spirals');
  await dropLayer(page, 'Dense', 300, 200);
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
  await autosaved('dense_1');
  await kill(page);

  // The next start asks, naming the project and its file.
  server = await start();
  await page.goto(server.url);
  const question = page.getByTestId('question-dialog');
  await expect(question).toBeVisible();
  await expect(page.getByTestId('question-text')).toContainText(/^Restore unsaved work from .+\?/);
  await expect(page.getByTestId('question-text')).toContainText(`“Spirals” (${projectFile})`);
  await page.getByTestId('answer-restore').click();
  await expect(question).toHaveCount(0);
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
  // Restored as unsaved, still belonging to its file, which keeps the saved version until Save.
  await expect(page.getByTestId('project-title')).toContainText(projectFile);
  await expect(page.getByLabel('unsaved changes')).toBeVisible();
  expect(await savedNodeNames()).toEqual([]);

  // Another change, another kill; this time the offer is declined.
  await dropLayer(page, 'Dropout', 300, 400);
  await expect(page.getByTestId('node-dropout_1')).toBeVisible();
  await autosaved('dropout_1');
  await kill(page);
  server = await start();
  await page.goto(server.url);
  await expect(question).toBeVisible();
  await page.getByTestId('answer-decline').click();
  // The saved file opens; the unsaved work is kept as a project file of its own, and the page says where.
  await expect(page.getByTestId('toast').filter({ hasText: 'is kept in' })).toContainText(path.join(dataDir, 'recovered'));
  await expect(page.getByTestId('node-dense_1')).toHaveCount(0);
  await expect(page.getByLabel('unsaved changes')).toHaveCount(0);
  const recovered = await fs.readdir(path.join(dataDir, 'recovered'));
  expect(recovered).toHaveLength(1);
  const kept = parseProject(await fs.readFile(path.join(dataDir, 'recovered', recovered[0]), 'utf8'));
  expect(kept.graph.nodes.map((n) => n.name).sort()).toEqual(['dense_1', 'dropout_1']);
  expect(await savedNodeNames()).toEqual([]);

  // Nothing unsaved now: the next start asks nothing and reopens the saved file.
  await expect
    .poll(async () => JSON.parse(await fs.readFile(path.join(dataDir, 'autosave.neurowire.json'), 'utf8').catch(() => '{}')))
    .toMatchObject({ dirty: false, path: projectFile });
  await kill(page);
  server = await start();
  await page.goto(server.url);
  await expect(page.getByTestId('project-title')).toContainText(projectFile);
  await expect(question).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('a project file dropped on the browser window opens; a layer dragged from the palette still lands on the canvas', async ({ page }) => {
  const server = running?.server ?? (await start());
  await page.goto(server.url);
  await expect(page.getByTestId('project-title')).toBeVisible();
  await page.getByTestId('new-button').click();
  const text = serializeProject({ ...emptyProject('Dropped net'), graph: { nodes: [{ id: 'a', kind: 'Dense', name: 'dropped_dense', params: {}, position: { x: 100, y: 100 } }], edges: [] } });
  const dataTransfer = await page.evaluateHandle((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'dropped.neurowire', { type: '' }));
    return transfer;
  }, text);
  await page.getByTestId('canvas').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('project-title')).toContainText('Dropped net');
  await expect(page.getByTestId('node-dropped_dense')).toBeVisible();
  await dropLayer(page, 'Dense', 400, 300);
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
});
