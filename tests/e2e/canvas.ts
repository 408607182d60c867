import type { Page } from '@playwright/test';

/** Drags a layer kind from the palette onto the canvas, centred on (x, y) in canvas coordinates. */
export async function dropLayer(page: Page, kind: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${kind}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Wires one layer's output to another's input, by dragging between their handles. */
export async function connect(page: Page, from: string, to: string): Promise<void> {
  await page.getByTestId(`handle-out-${from}`).dragTo(page.getByTestId(`handle-in-${to}`));
}
