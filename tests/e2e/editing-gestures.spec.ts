import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { connect, dropLayer } from './canvas';
import { engineServer } from './engineServer';

// Editing with the real mouse and keyboard: clipboard, selection, quick-add, menus, drop on a connection, layout.
const app = engineServer('gestures');

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const layers = (page: Page) => page.locator('.react-flow__node');
const edges = (page: Page) => page.locator('.react-flow__edge');
const node = (page: Page, name: string) => page.getByTestId(`node-${name}`);
const selectedNames = async (page: Page) => (await page.locator('.layer-node--selected .layer-node__name').allTextContents()).sort();

/** A fresh page with an empty project: Input → Dense → Dense, wired. */
async function threeLayers(page: Page, pageErrors: string[]): Promise<void> {
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await page.getByTestId('new-button').click();
  await expect(layers(page)).toHaveCount(0);
  await dropLayer(page, 'Input', 120, 120);
  await dropLayer(page, 'Dense', 400, 120);
  await dropLayer(page, 'Dense', 680, 120);
  await connect(page, 'input_1', 'dense_1');
  await connect(page, 'dense_1', 'dense_2');
  await expect(edges(page)).toHaveCount(2);
}

/** Clicks an empty spot of the canvas (clears the selection, gives the canvas the keyboard). */
async function clickEmptyCanvas(page: Page): Promise<void> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 60);
}

test('copy, paste, duplicate, cut, select all, Shift-click and Delete, each one undo step', async ({ page, context }) => {
  const pageErrors: string[] = [];
  await threeLayers(page, pageErrors);
  // The minimap draws each layer once it is measured.
  await expect(page.locator('.react-flow__minimap-node')).toHaveCount(3);

  // Shift-click adds to the selection.
  await node(page, 'dense_1').click();
  await node(page, 'dense_2').click({ modifiers: ['Shift'] });
  expect(await selectedNames(page)).toEqual(['dense_1', 'dense_2']);

  // Copy and paste: two new layers with new names, wired to each other only, selected, and one undo step.
  await page.keyboard.press('ControlOrMeta+C');
  await page.keyboard.press('ControlOrMeta+V');
  await expect(layers(page)).toHaveCount(5);
  await expect(edges(page)).toHaveCount(3);
  await expect(page.locator('.react-flow__minimap-node')).toHaveCount(5);
  expect(await selectedNames(page)).toEqual(['dense_3', 'dense_4']);
  const original = (await node(page, 'dense_1').boundingBox())!;
  const copy = (await node(page, 'dense_3').boundingBox())!;
  expect(copy.x).toBeGreaterThan(original.x);
  expect(copy.y).toBeGreaterThan(original.y);
  await page.getByTestId('undo-button').click();
  await expect(layers(page)).toHaveCount(3);
  await expect(edges(page)).toHaveCount(2);

  // Duplicate.
  await node(page, 'dense_2').click();
  await page.keyboard.press('ControlOrMeta+D');
  await expect(node(page, 'dense_3')).toBeVisible();
  expect(await selectedNames(page)).toEqual(['dense_3']);

  // Cut takes it away (with nothing else), paste brings it back under its own name.
  await page.keyboard.press('ControlOrMeta+X');
  await expect(node(page, 'dense_3')).toHaveCount(0);
  await expect(layers(page)).toHaveCount(3);
  await page.keyboard.press('ControlOrMeta+V');
  await expect(node(page, 'dense_3')).toBeVisible();

  // Select all, Delete, undo.
  await node(page, 'input_1').click();
  await page.keyboard.press('ControlOrMeta+A');
  expect(await selectedNames(page)).toEqual(['dense_1', 'dense_2', 'dense_3', 'input_1']);
  await page.keyboard.press('Delete');
  await expect(layers(page)).toHaveCount(0);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(layers(page)).toHaveCount(4);
  await expect(edges(page)).toHaveCount(2);

  // Foreign text on the clipboard: pasting it on the canvas changes nothing and says why.
  await page.getByTestId('palette-search').fill('just words');
  await page.getByTestId('palette-search').selectText();
  await page.keyboard.press('ControlOrMeta+C');
  await page.getByTestId('palette-search').fill('');
  await clickEmptyCanvas(page);
  await page.keyboard.press('ControlOrMeta+V');
  await expect(page.getByTestId('toast').last()).toContainText('no Neurowire layers');
  await expect(layers(page)).toHaveCount(4);
  await expect(page.getByTestId('palette-search')).toHaveValue('');

  // Across tabs: layers copied here paste into another tab's new project, wired as they were.
  await node(page, 'input_1').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+C');
  const other = await context.newPage();
  const otherErrors: string[] = [];
  other.on('pageerror', (e) => otherErrors.push(e.message));
  await other.goto(app.url);
  await expect(other.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await other.getByTestId('new-button').click();
  await expect(layers(other)).toHaveCount(0);
  await clickEmptyCanvas(other);
  await other.keyboard.press('ControlOrMeta+V');
  await expect(layers(other)).toHaveCount(4);
  await expect(edges(other)).toHaveCount(2);
  await expect(node(other, 'input_1')).toBeVisible(); // names free in that project are kept
  await expect(other.getByTestId('total-params')).toHaveText(await page.getByTestId('total-params').textContent() ?? '');

  expect(pageErrors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

/** Whether a layer lies wholly inside the visible canvas (not under the bottom panel, the inspector or off-screen). */
async function insideCanvas(page: Page, name: string): Promise<boolean> {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const box = (await node(page, name).boundingBox())!;
  return box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height;
}

test('palette search and quick-add: type a layer name, Enter, and it is inserted after the selected layer', async ({ page }) => {
  const pageErrors: string[] = [];
  await threeLayers(page, pageErrors);

  // The palette filters by name and by description.
  const search = page.getByTestId('palette-search');
  await search.fill('lstm');
  await expect(page.getByTestId('palette-LSTM')).toBeVisible();
  await expect(page.getByTestId('palette-Dense')).toHaveCount(0);
  await search.fill('fully connected');
  await expect(page.getByTestId('palette-Dense')).toBeVisible();
  await expect(page.getByTestId('palette-Conv2D')).toHaveCount(0);
  await search.fill('');
  await expect(page.getByTestId('palette-Conv2D')).toBeVisible();

  // `/` after selecting dense_2, the last layer near the canvas's right edge: the new layer is wired after it,
  // selected, and the view moves so it is in sight.
  await node(page, 'dense_2').click();
  await page.keyboard.press('/');
  await expect(page.getByTestId('quick-add-input')).toBeFocused();
  await page.keyboard.type('dropo');
  await expect(page.getByTestId('quick-add').getByRole('option').first()).toContainText('Dropout');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('quick-add')).toHaveCount(0);
  await expect(node(page, 'dropout_1')).toBeVisible();
  expect(await selectedNames(page)).toEqual(['dropout_1']);
  await expect(edges(page)).toHaveCount(3);
  await expect.poll(() => insideCanvas(page, 'dropout_1')).toBe(true);

  // Just typing on the canvas opens the box with that letter; the layer goes between dense_1 and dense_2 when
  // dense_1 is selected (it takes over dense_1's outgoing connection).
  await page.locator('.react-flow__controls-fitview').click();
  await node(page, 'dense_1').click();
  await page.keyboard.type('batchnorm');
  await expect(page.getByTestId('quick-add-input')).toHaveValue('batchnorm');
  await page.keyboard.press('Enter');
  await expect(node(page, 'batch_normalization_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(4);
  await expect.poll(() => insideCanvas(page, 'batch_normalization_1')).toBe(true);
  // Wired: it has dense_1's output shape (an unconnected layer's is unknown).
  await expect(page.getByTestId('inspector-shape')).toHaveText('[28, 28, 128]');

  // Arrow keys choose among the matches; Escape closes without adding anything.
  await page.keyboard.press('ControlOrMeta+K');
  await page.keyboard.type('pool');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('quick-add')).toHaveCount(0);
  await expect(layers(page)).toHaveCount(5);

  // One undo step per insert.
  await page.getByTestId('undo-button').click();
  await expect(node(page, 'batch_normalization_1')).toHaveCount(0);
  await expect(edges(page)).toHaveCount(3);
  await expect(node(page, 'dropout_1')).toBeVisible();

  // With nothing selected, the layer goes unconnected in the middle of the view.
  await clickEmptyCanvas(page);
  await page.keyboard.press('/');
  await page.keyboard.type('flatten');
  await page.keyboard.press('Enter');
  await expect(node(page, 'flatten_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(3);
  expect(await insideCanvas(page, 'flatten_1')).toBe(true);

  expect(pageErrors).toEqual([]);
});

/** The middle of the connection between two layers, from their handles. */
async function edgeMiddle(page: Page, from: string, to: string): Promise<{ x: number; y: number }> {
  const a = (await page.getByTestId(`handle-out-${from}`).boundingBox())!;
  const b = (await page.getByTestId(`handle-in-${to}`).boundingBox())!;
  return { x: (a.x + a.width / 2 + b.x + b.width / 2) / 2, y: (a.y + a.height / 2 + b.y + b.height / 2) / 2 };
}

test('context menus of a layer, a connection and the canvas', async ({ page }) => {
  const pageErrors: string[] = [];
  await threeLayers(page, pageErrors);
  const menu = page.getByTestId('context-menu');

  // A layer's menu acts on that layer.
  await node(page, 'dense_1').click({ button: 'right' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem')).toHaveText([/Insert layer after/, /Duplicate/, /Copy/, /Cut/, /Zoom to layer/, /Delete/]);
  await page.screenshot({ path: 'test-results/context-menu.png' });
  await menu.getByTestId('menu-duplicate').click();
  await expect(menu).toHaveCount(0);
  await expect(node(page, 'dense_3')).toBeVisible();
  await node(page, 'dense_3').click({ button: 'right' });
  await page.getByTestId('menu-delete').click();
  await expect(node(page, 'dense_3')).toHaveCount(0);

  // Insert after, from the menu: the quick-add box says where the layer goes.
  await node(page, 'dense_1').click({ button: 'right' });
  await page.getByTestId('menu-insert-after').click();
  await expect(page.getByTestId('quick-add-input')).toHaveAttribute('placeholder', /after dense_1/);
  await page.keyboard.type('dropout');
  await page.keyboard.press('Enter');
  await expect(node(page, 'dropout_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(3);
  await page.locator('.react-flow__controls-fitview').click();

  // A connection's menu: insert a layer on it, or delete it.
  const middle = await edgeMiddle(page, 'input_1', 'dense_1');
  await page.mouse.click(middle.x, middle.y, { button: 'right' });
  await expect(menu.getByRole('menuitem')).toHaveText([/Insert a layer here/, /Delete connection/]);
  await page.getByTestId('menu-insert-on-edge').click();
  await page.keyboard.type('flatten');
  await page.keyboard.press('Enter');
  await expect(node(page, 'flatten_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(4);
  await page.locator('.react-flow__controls-fitview').click();
  await node(page, 'flatten_1').click();
  await expect(page.getByTestId('inspector-shape')).toHaveText('[784]'); // fed by the Input: wired in between
  const toDropout = await edgeMiddle(page, 'dense_1', 'dropout_1');
  await page.mouse.click(toDropout.x, toDropout.y, { button: 'right' });
  await page.getByTestId('menu-delete-edge').click();
  await expect(edges(page)).toHaveCount(3);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(edges(page)).toHaveCount(4);

  // The canvas's menu: paste where it was opened, select all, auto-layout, add a layer there.
  await node(page, 'dense_2').click({ button: 'right' });
  await page.getByTestId('menu-copy').click();
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const spot = { x: canvas.x + 120, y: canvas.y + canvas.height - 140 };
  await page.mouse.click(spot.x, spot.y, { button: 'right' });
  await expect(menu.getByRole('menuitem')).toHaveText([/Paste/, /Add layer/, /Auto-layout/, /Select all/]);
  await page.getByTestId('menu-paste').click();
  await expect(node(page, 'dense_3')).toBeVisible();
  const pasted = (await node(page, 'dense_3').boundingBox())!;
  expect(Math.abs(pasted.x - spot.x)).toBeLessThan(4);
  expect(Math.abs(pasted.y - spot.y)).toBeLessThan(4);

  await page.mouse.click(canvas.x + canvas.width - 200, canvas.y + 30, { button: 'right' });
  await page.getByTestId('menu-select-all').click();
  expect(await selectedNames(page)).toEqual(['dense_1', 'dense_2', 'dense_3', 'dropout_1', 'flatten_1', 'input_1']);

  await page.mouse.click(canvas.x + canvas.width - 200, canvas.y + 30, { button: 'right' });
  await page.getByTestId('menu-add-layer').click();
  await page.keyboard.type('relu');
  await page.keyboard.press('Enter');
  await expect(node(page, 're_lu_1')).toBeVisible();

  // Escape and a click outside close a menu without doing anything.
  await node(page, 'dense_1').click({ button: 'right' });
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await node(page, 'dense_1').click({ button: 'right' });
  await page.mouse.click(canvas.x + 20, canvas.y + 20);
  await expect(menu).toHaveCount(0);
  await expect(layers(page)).toHaveCount(7);

  expect(pageErrors).toEqual([]);
});

test('a layer dropped from the palette onto a connection is inserted there, in one undo step', async ({ page }) => {
  const pageErrors: string[] = [];
  await threeLayers(page, pageErrors);
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const middle = await edgeMiddle(page, 'input_1', 'dense_1');
  await dropLayer(page, 'Flatten', middle.x - canvas.x, middle.y - canvas.y);
  await expect(node(page, 'flatten_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(3);
  expect(await selectedNames(page)).toEqual(['flatten_1']);
  // Wired between the two: it gets the Input's shape, and dense_1 now gets its flat output.
  await expect(page.getByTestId('shape-flatten_1')).toContainText('[784]');
  await expect(page.getByTestId('shape-dense_1')).toContainText('[128]');

  await page.getByTestId('undo-button').click();
  await expect(node(page, 'flatten_1')).toHaveCount(0);
  await expect(edges(page)).toHaveCount(2);
  await expect(page.getByTestId('shape-dense_1')).toContainText('[28, 28, 128]');

  // Dropped beside a connection, on empty canvas: just added, unconnected.
  await dropLayer(page, 'Flatten', middle.x - canvas.x, middle.y - canvas.y + 150);
  await expect(node(page, 'flatten_1')).toBeVisible();
  await expect(edges(page)).toHaveCount(2);

  expect(pageErrors).toEqual([]);
});

const centreOf = async (page: Page, name: string) => {
  const b = (await node(page, name).boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

/** No two layers' boxes overlap. */
async function noOverlap(page: Page): Promise<boolean> {
  const boxes = await layers(page).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  return boxes.every((a, i) => boxes.every((b, j) => i === j || a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top));
}

test('auto-layout with ELK in a worker: left to right or top to bottom, one undo step; imported models come laid out', async ({ page }) => {
  const pageErrors: string[] = [];
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);
  await page.getByTestId('new-button').click();
  await expect(layers(page)).toHaveCount(0);
  // A tangle: the chain input → dense_1 → dense_2 drawn backwards and at odd heights.
  await dropLayer(page, 'Dense', 120, 300);
  await dropLayer(page, 'Dense', 420, 80);
  await dropLayer(page, 'Input', 700, 240);
  await connect(page, 'input_1', 'dense_2');
  await connect(page, 'dense_2', 'dense_1');

  await page.getByTestId('auto-layout-button').click();
  await expect.poll(async () => (await centreOf(page, 'input_1')).x < (await centreOf(page, 'dense_2')).x).toBe(true);
  await expect.poll(async () => (await centreOf(page, 'dense_2')).x < (await centreOf(page, 'dense_1')).x).toBe(true);
  const row = await Promise.all(['input_1', 'dense_2', 'dense_1'].map((n) => centreOf(page, n)));
  expect(Math.abs(row[0].y - row[2].y)).toBeLessThan(2); // one row
  await expect.poll(() => workers.some((url) => url.includes('elk.worker'))).toBe(true);

  // Top to bottom.
  await page.getByTestId('layout-direction').selectOption('DOWN');
  await page.getByTestId('auto-layout-button').click();
  await expect.poll(async () => (await centreOf(page, 'input_1')).y < (await centreOf(page, 'dense_2')).y).toBe(true);
  await expect.poll(async () => (await centreOf(page, 'dense_2')).y < (await centreOf(page, 'dense_1')).y).toBe(true);

  // Each layout is one undo step: two undos bring the tangle back.
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(async () => Math.abs((await centreOf(page, 'input_1')).y - (await centreOf(page, 'dense_1')).y)).toBeLessThan(2);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(async () => (await centreOf(page, 'input_1')).x > (await centreOf(page, 'dense_1')).x).toBe(true);

  // An imported model (a CNN with a skip connection) is laid out by ELK as part of the import: nothing to undo.
  await page.getByTestId('layout-direction').selectOption('RIGHT');
  await page.getByTestId('import-model-input').setInputFiles(path.resolve(__dirname, '../fixtures/import/functional-cnn-skip.json'));
  // The tangle above was never saved: importing asks first.
  await expect(page.getByTestId('question-text')).toContainText('Import functional-cnn-skip.json and discard them?');
  await page.getByTestId('answer-discard').click();
  await expect(node(page, 'classes')).toBeVisible();
  await expect.poll(() => noOverlap(page)).toBe(true);
  await expect.poll(async () => (await centreOf(page, 'image')).x < (await centreOf(page, 'stem')).x).toBe(true);
  await expect(page.getByTestId('undo-button')).toBeDisabled();

  expect(pageErrors).toEqual([]);
});

/** How far a layer's centre is from the centre of the visible canvas, in pixels. */
async function offCentre(page: Page, name: string): Promise<number> {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const c = await centreOf(page, name);
  return Math.hypot(c.x - (canvas.x + canvas.width / 2), c.y - (canvas.y + canvas.height / 2));
}

/** Drags the empty canvas so the view moves away from the layers. */
async function panAway(page: Page): Promise<void> {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height - 40);
  await page.mouse.down();
  await page.mouse.move(canvas.x + 40, canvas.y + 40, { steps: 8 });
  await page.mouse.up();
}

test('a layer named in a message (inspector, banner, status bar) is one click away: selected and centred', async ({ page }) => {
  const pageErrors: string[] = [];
  await threeLayers(page, pageErrors);
  await dropLayer(page, 'Dense', 400, 330); // dense_3, unconnected: "dense_3 has no input"
  await clickEmptyCanvas(page);

  // The project summary lists every layer's problems; the name in a message is a link.
  await panAway(page);
  expect(await offCentre(page, 'dense_3')).toBeGreaterThan(150);
  await page.getByTestId('inspector').getByTestId('layer-link').filter({ hasText: 'dense_3' }).first().click();
  await expect(page.getByTestId('inspector').locator('.panel-title')).toHaveText('dense_3');
  await expect.poll(() => offCentre(page, 'dense_3')).toBeLessThan(20);

  // A banner: the refused connection names both layers.
  await page.locator('.react-flow__controls-fitview').click();
  await connect(page, 'input_1', 'dense_1');
  await expect(page.getByTestId('error-banner')).toContainText('input_1 is already connected to dense_1.');
  await panAway(page);
  await page.getByTestId('error-banner').getByTestId('layer-link').filter({ hasText: 'dense_1' }).click();
  await expect(page.getByTestId('inspector').locator('.panel-title')).toHaveText('dense_1');
  await expect.poll(() => offCentre(page, 'dense_1')).toBeLessThan(20);

  // The status bar leads to the first layer with a problem (dense_3 is the one with an error).
  await panAway(page);
  await page.getByTestId('status-problem-layer').click();
  await expect(page.getByTestId('inspector').locator('.panel-title')).toHaveText('dense_3');
  await expect.poll(() => offCentre(page, 'dense_3')).toBeLessThan(20);

  expect(pageErrors).toEqual([]);
});

test('`?` lists every shortcut; the dark and light themes toggle, persist, and follow the system by default', async ({ page, browser }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(app.url);
  await expect(page.getByTestId('backend-info')).toContainText(/wasm|cpu|tensorflow/i);

  // The overlay lists the shortcuts this spec exercises, and closes with Escape.
  await page.locator('body').click({ position: { x: 5, y: 890 } });
  await page.keyboard.press('?');
  const overlay = page.getByTestId('shortcut-overlay');
  await expect(overlay).toBeVisible();
  for (const what of ['Copy the selected layers', 'Paste layers', 'Duplicate the selected layers', 'Select all', 'Quick-add a layer', 'Undo', 'Show this list']) {
    await expect(overlay).toContainText(what);
  }
  await page.screenshot({ path: 'test-results/shortcut-overlay.png' });
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);
  await page.getByTestId('shortcuts-button').click();
  await expect(overlay).toBeVisible();
  await overlay.getByRole('button', { name: 'Close' }).click();
  await expect(overlay).toHaveCount(0);

  // Light by default when the system is light; the toggle switches to dark, and the page background follows.
  const html = page.locator('html');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect(html).toHaveAttribute('data-theme', 'light');
  const light = await background();
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await background()).not.toBe(light);
  await page.screenshot({ path: 'test-results/dark-theme.png' });

  // Persisted: a reload keeps the choice, even though the system is light.
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveAttribute('data-theme', 'light');

  // With no choice stored, a dark system gets the dark theme.
  const fresh = await browser.newContext({ colorScheme: 'dark' });
  const other = await fresh.newPage();
  await other.goto(app.url);
  await expect(other.locator('html')).toHaveAttribute('data-theme', 'dark');
  await fresh.close();

  expect(pageErrors).toEqual([]);
});
