import { test, expect } from '@playwright/test';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseProject, serializeProject, type Project } from '../../main/core/project';
import { RunStore } from '../../main/node/runs';
import { engineServer } from './engineServer';

// Compare…: two projects saved in the engine's project folder, or two runs, side by side with what differs.
const app = engineServer('compare');

const mlp = (): Project => parseProject(readFileSync(path.resolve(__dirname, '../../templates/mnist-mlp.json'), 'utf8'), 'mnist-mlp');

/** The MNIST MLP with 256 hidden units and a Dropout after them. */
function wider(): Project {
  const p = mlp();
  const hidden = p.graph.nodes.find((n) => n.name === 'dense_1')!;
  hidden.params = { ...hidden.params, units: 256 };
  p.graph.nodes.push({ id: 'drop', kind: 'Dropout', name: 'dropout_1', params: { rate: 0.2 }, position: { x: 600, y: 260 } });
  p.graph.edges = p.graph.edges.filter((e) => e.source !== hidden.id);
  p.graph.edges.push({ id: 'h-d', source: hidden.id, target: 'drop' }, { id: 'd-o', source: 'drop', target: 'output' });
  return { ...p, name: 'MNIST MLP wide' };
}

test.beforeAll(async () => {
  await fs.mkdir(app.engine.projectsDir, { recursive: true });
  await fs.writeFile(path.join(app.engine.projectsDir, 'mlp.neurowire'), serializeProject(mlp()));
  await fs.writeFile(path.join(app.engine.projectsDir, 'mlp-wide.neurowire'), serializeProject(wider()));
  // Two finished runs in the engine's history (recorded directly: no training needed to compare them).
  const store = new RunStore(path.join(app.dataDir, 'runs'), () => undefined);
  for (const [runId, project, accs] of [
    ['run-narrow', mlp(), [0.8, 0.86]],
    ['run-wide', wider(), [0.83, 0.9, 0.93]],
  ] as const) {
    await store.create(project, runId, 'cpu');
    for (const [epoch, acc] of accs.entries()) await store.appendEpoch(runId, { epoch, loss: 1 - acc, acc, valLoss: 1.05 - acc, valAcc: acc - 0.02 });
    await store.finish(runId, { status: 'completed', epochsCompleted: accs.length, test: { loss: 0.4, acc: accs.at(-1)! } });
  }
});

test('compare two projects: both networks highlighted, and the list of changes', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('node-dense_2')).toBeVisible();

  await page.getByTestId('compare-button').click();
  const dialog = page.getByTestId('compare-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('compare-source-a').selectOption({ label: 'mlp.neurowire' });
  await dialog.getByTestId('compare-source-b').selectOption({ label: 'mlp-wide.neurowire' });
  await dialog.getByTestId('compare-run').click();

  const view = dialog.getByTestId('compare-view');
  await expect(view).toBeVisible();
  await expect(view.getByTestId('compare-heading-a')).toContainText('MNIST MLP');
  await expect(view.getByTestId('compare-heading-b')).toContainText('MNIST MLP wide');
  await expect(view.getByTestId('compare-summary')).toContainText('1 added, 0 removed, 1 changed');
  await expect(view.getByTestId('compare-summary')).toContainText('101,770 → 203,530');

  // The left picture: dense_1 changed, dense_2 moved (its input grew); nothing added there.
  const left = view.getByTestId('diff-graph-a');
  await expect(left.getByTestId('diff-node')).toHaveCount(4);
  await expect(left.locator('[data-name="dense_1"]')).toHaveAttribute('data-status', 'changed');
  await expect(left.locator('[data-name="dense_2"]')).toHaveAttribute('data-status', 'affected');
  await expect(left.locator('[data-name="input_1"]')).toHaveAttribute('data-status', 'same');
  // The right one: the Dropout is added (green), dense_1 changed (amber).
  const right = view.getByTestId('diff-graph-b');
  await expect(right.getByTestId('diff-node')).toHaveCount(5);
  await expect(right.locator('[data-name="dropout_1"]')).toHaveAttribute('data-status', 'added');
  await expect(right.locator('[data-name="dense_1"]')).toHaveAttribute('data-status', 'changed');
  const fill = (name: string) => right.locator(`[data-name="${name}"] rect`).evaluate((r) => getComputedStyle(r).fill);
  expect(await fill('dropout_1')).not.toBe(await fill('input_1'));
  expect(await fill('dense_1')).not.toBe(await fill('dropout_1'));

  // The change list: the setting old → new, the shape and count, the layer added, the connections.
  const changes = view.getByTestId('compare-changes');
  const dense1 = changes.locator('[data-testid="compare-change"][data-status="changed"]');
  await expect(dense1).toContainText('dense_1 (Dense)');
  await expect(dense1).toContainText('Units: 128 → 256');
  await expect(dense1).toContainText('output shape: [128] → [256]');
  await expect(dense1).toContainText('params: 100,480 → 200,960');
  await expect(changes.locator('[data-status="added"]')).toContainText('dropout_1 (Dropout)');
  await expect(changes.locator('[data-status="edge-removed"]')).toContainText('dense_1 → dense_2');
  await expect(changes.locator('[data-status="edge-added"]')).toHaveCount(2);

  // Choosing a layer in a picture selects its entry in the list.
  await right.locator('[data-name="dropout_1"]').click();
  await expect(changes.locator('[data-status="added"]')).toHaveClass(/compare__change--selected/);
  // Two projects have no curves.
  await expect(view.getByTestId('compare-curves')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('compare the open project with a saved copy, then two runs: their curves overlaid and final metrics side by side; a missing file is named', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  await page.getByTestId('compare-button').click();
  const dialog = page.getByTestId('compare-dialog');

  // The open project (the MNIST MLP the app starts with) is the first side unless another is chosen.
  await expect(dialog.getByTestId('compare-source-a')).toHaveValue('document');
  await dialog.getByTestId('compare-source-b').selectOption({ label: 'mlp.neurowire' });
  await dialog.getByTestId('compare-run').click();
  await expect(dialog.getByTestId('compare-summary')).toHaveText('The two networks are the same: 4 layers, 101,770 parameters.');
  await expect(dialog.getByTestId('compare-changes')).toHaveCount(0);
  await dialog.getByTestId('compare-again').click();

  // A path that names nothing: the engine's reason, and the choice stays open.
  await dialog.getByTestId('compare-source-a').selectOption('other');
  await dialog.getByTestId('compare-path-a').fill(path.join(app.dataDir, 'nothing-here.neurowire'));
  await dialog.getByTestId('compare-source-b').selectOption({ label: 'mlp.neurowire' });
  await dialog.getByTestId('compare-run').click();
  await expect(dialog.getByTestId('compare-error')).toContainText('No file at');

  const runOption = (runId: string) => dialog.getByTestId('compare-source-a').locator(`option[value="run:${runId}"]`);
  await expect(runOption('run-narrow')).toHaveCount(1);
  await dialog.getByTestId('compare-source-a').selectOption('run:run-narrow');
  await dialog.getByTestId('compare-source-b').selectOption('run:run-wide');
  await dialog.getByTestId('compare-run').click();
  const view = dialog.getByTestId('compare-view');
  await expect(view.getByTestId('compare-summary')).toContainText('1 added');
  const curves = view.getByTestId('compare-curves');
  await expect(curves).toBeVisible();
  // One line per run on each chart (loss and accuracy).
  await expect(curves.locator('.recharts-line')).toHaveCount(4);
  const metrics = view.getByTestId('compare-metrics');
  await expect(metrics.locator('tr', { hasText: 'Epochs' })).toContainText(/2\s*3/);
  await expect(metrics.locator('tr', { hasText: 'Test accuracy' })).toContainText(/86\.0 %\s*93\.0 %/);
});
