import { test, expect } from '@playwright/test';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { emptyProject, type Graph, type ProjectNode } from '../../main/core/project';
import { engineServer } from './engineServer';

// A big graph seen from far: each layer a box with its name and shape (the level of detail that keeps panning
// smooth), the whole name on hover, and the full layer again once zoomed in.
const app = engineServer('big-graph');

/** Input [16] → Dense(32) → 298 Dropouts, 20 to a row. */
function bigGraph(): Graph {
  const nodes: ProjectNode[] = Array.from({ length: 300 }, (_, i) => {
    const [kind, name, params] =
      i === 0 ? ['Input', 'input_1', { shape: [16] }] : i === 1 ? ['Dense', 'dense_1', { units: 32, activation: 'relu', useBias: true }] : ['Dropout', `dropout_${i - 1}`, { rate: 0.1 }];
    return { id: `n${i}`, kind, name, params, position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 170 } } as ProjectNode;
  });
  return { nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id })) };
}

test('a 300-layer graph zoomed out draws boxes with name and shape; zoomed in, the full layers', async ({ page }) => {
  test.setTimeout(300_000); // a safety net for a loaded machine
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await fs.writeFile(path.join(app.dataDir, 'autosave.neurowire.json'), JSON.stringify({ ...emptyProject('big'), graph: bigGraph() }));
  await page.goto(app.url);
  await expect(page.getByTestId('total-params')).toContainText('Total parameters: 544', { timeout: 120_000 });

  // Fitted to the view, the graph is far below the overview zoom: boxes only.
  const boxes = page.locator('.layer-node--box');
  await expect(boxes.first()).toBeVisible();
  expect(await page.locator('.layer-node:not(.layer-node--box)').count()).toBe(0);
  const dense = page.getByTestId('node-dense_1');
  await expect(dense).toHaveAttribute('title', 'dense_1 (Dense)');
  await expect(page.getByTestId('shape-dense_1')).toContainText('[32]');

  // Zoomed in past the overview: every drawn layer is the full one again.
  for (let i = 0; i < 8 && (await boxes.count()) > 0; i++) await page.locator('.react-flow__controls-zoomin').click();
  await expect(boxes).toHaveCount(0);
  await expect(page.locator('.layer-node').first()).toBeVisible();
  expect(pageErrors).toEqual([]);
});
