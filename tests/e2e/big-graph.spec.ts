import { test, expect, type Page } from '@playwright/test';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { emptyProject, type Graph, type ProjectNode } from '../../main/core/project';
import { engineServer } from './engineServer';

// A big graph seen from far: one picture of boxes and connections (the level of detail that keeps panning smooth),
// whose boxes select and open menus like layers, with their text once it is readable; the full layers zoomed in.
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

/** Zooms in with the canvas's + button until the zoom reaches `min`, one step at a time (each waited for). */
async function zoomInTo(page: Page, min: number): Promise<void> {
  while ((await zoom(page)) < min) {
    const before = await zoom(page);
    await page.locator('.react-flow__controls-zoomin').click();
    await expect.poll(() => zoom(page)).toBeGreaterThan(before);
  }
}

const zoom = (page: Page) => page.evaluate(() => Number(/scale\(([-\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform)?.[1]));

test('a 300-layer graph seen from far is one picture: boxes to click, Shift-click and right-click, text once readable, full layers zoomed in', async ({ page }) => {
  test.setTimeout(300_000); // a safety net for a loaded machine
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await fs.writeFile(path.join(app.dataDir, 'autosave.neurowire.json'), JSON.stringify({ ...emptyProject('big'), graph: bigGraph() }));
  await page.goto(app.url);
  await expect(page.getByTestId('total-params')).toContainText('Total parameters: 544', { timeout: 120_000 });

  // Fitted to the view, the graph is far below the overview zoom: one box per layer, xyflow's layers hidden, and the
  // text too small to read left out (the name is on hover).
  const boxes = page.locator('.overview-box');
  await expect(boxes).toHaveCount(300);
  expect(await page.locator('.react-flow__node').count()).toBe(0);
  expect(await zoom(page)).toBeLessThan(0.3);
  const dense = page.getByTestId('node-dense_1');
  await expect(dense.locator('title')).toHaveText('dense_1 (Dense)');
  await expect(page.getByTestId('shape-dense_1')).toHaveCount(0);
  // xyflow's minimap would be empty (it draws only the layers it shows): the overview's own draws them all, and a
  // click on it moves the view there.
  const minimap = page.getByTestId('overview-minimap');
  await expect(minimap).toBeVisible();
  const transform = () => page.evaluate(() => (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
  const before = await transform();
  const map = (await minimap.locator('svg').boundingBox())!;
  await page.mouse.click(map.x + 4, map.y + 4);
  await expect.poll(transform).not.toBe(before);

  // The head of the graph dragged into the middle of the canvas (a drag that starts on a box pans too).
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const head = (await dense.boundingBox())!;
  const [cx, cy] = [canvas.x + canvas.width / 2, canvas.y + canvas.height / 2];
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + (cx - head.x), cy + (cy - head.y), { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('param-units')).toHaveCount(0); // a pan selects nothing

  // A click on a box selects its layer; Shift-click adds another; a click on the empty canvas clears.
  await dense.click();
  await expect(page.getByTestId('param-units')).toHaveValue('32');
  await expect(dense).toHaveClass(/overview-box--selected/);
  await page.getByTestId('node-dropout_3').click({ modifiers: ['Shift'] });
  await expect(page.locator('.overview-box--selected')).toHaveCount(2);
  // Right-click: the layer's menu, acting on the selection it is part of.
  await dense.click({ button: 'right' });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('.overview-box--selected')).toHaveCount(2);

  // Zoomed in to where text is readable (still the overview): each box near the view shows its name and shape.
  await zoomInTo(page, 0.3);
  expect(await zoom(page)).toBeLessThan(0.5);
  await expect(page.getByTestId('shape-dense_1')).toContainText('[32]');
  await expect(page.getByTestId('shape-dense_1').locator('..')).toContainText('dense_1');

  // Past the overview zoom: the full layers again, the selection kept.
  await zoomInTo(page, 0.5);
  await expect(boxes).toHaveCount(0);
  await expect(page.getByTestId('overview-minimap')).toHaveCount(0);
  await expect(page.locator('.layer-node').first()).toBeVisible();
  await expect(page.locator('.layer-node--selected')).not.toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
