import { test, expect } from '@playwright/test';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { engineServer } from './engineServer';

// The template gallery: every template as a card with a picture of its graph, its dataset, parameters and accuracy.
const app = engineServer('gallery');
const templateCount = readdirSync(path.resolve(__dirname, '../../templates')).filter((n) => n.endsWith('.json')).length;

test('open the gallery, see every template with a picture of its graph, open the CIFAR-10 CNN', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  // The app starts on the MNIST MLP.
  await expect(page.getByTestId('node-dense_2')).toBeVisible();

  await page.getByTestId('templates-button').click();
  const gallery = page.getByTestId('template-gallery');
  await expect(gallery).toBeVisible();
  const cards = gallery.getByTestId('template-card');
  await expect(cards).toHaveCount(templateCount);
  // Each card draws its graph: an SVG with a box per layer.
  for (let i = 0; i < templateCount; i++) {
    const picture = cards.nth(i).getByTestId('template-thumbnail');
    await expect(picture).toBeVisible();
    expect(await picture.getByTestId('template-thumbnail-node').count()).toBeGreaterThanOrEqual(3);
    const box = await picture.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(40);
  }

  const cifar = gallery.locator('[data-template-id="cifar10-cnn"]');
  await expect(cifar).toContainText('CIFAR-10 CNN');
  await expect(cifar.getByTestId('template-dataset')).toHaveText('CIFAR-10');
  await expect(cifar.getByTestId('template-params')).toHaveText('167,562 parameters');
  await expect(cifar.getByTestId('template-description')).toContainText('accuracy');
  await expect(cifar.getByTestId('template-thumbnail-node')).toHaveCount(8);
  await expect(gallery.locator('[data-template-id="reviews-lstm"]').getByTestId('template-description')).toContainText(/\d+(\.\d+)? % test accuracy after \d+ epochs/);

  // Escape closes it without changing the project; choosing a card opens that template.
  await page.keyboard.press('Escape');
  await expect(gallery).toBeHidden();
  await expect(page.getByTestId('project-title')).toContainText('MNIST MLP');

  await page.getByTestId('templates-button').click();
  await page.locator('[data-template-id="cifar10-cnn"]').click();
  await expect(gallery).toBeHidden();
  await expect(page.getByTestId('project-title')).toContainText('CIFAR-10 CNN');
  await expect(page.getByTestId('node-conv2d_2')).toBeVisible();
  await expect(page.getByTestId('total-params')).toHaveText('Total parameters: 167,562');
  expect(pageErrors).toEqual([]);
});
