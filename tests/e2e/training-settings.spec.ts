import { test, expect } from '@playwright/test';
import { engineServer } from './engineServer';

// An invalid training setting is said at once, in words naming the field, and Train waits until it is fixed
// instead of silently training with the last valid value.
const app = engineServer('settings');

test('a learning rate of 100000 disables Train with a message naming the field; fixing it enables Train', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(app.url);
  const train = page.getByTestId('train-button');
  await expect(train).toBeEnabled({ timeout: 60_000 });

  const lr = page.getByTestId('training-learningRate');
  await lr.fill('100000');
  // While typing, before Enter or leaving the field.
  await expect(page.getByTestId('training-learningRate-error')).toHaveText('Learning rate must be between 0 and 10; 100000 is not.');
  await expect(train).toBeDisabled();
  await lr.press('Enter');
  await expect(train).toBeDisabled();
  await expect(page.getByTestId('train-disabled-reason')).toContainText('Fix the setting first: Learning rate must be between 0 and 10');

  await lr.fill('0.01');
  await lr.press('Enter');
  await expect(page.getByTestId('training-learningRate-error')).toHaveCount(0);
  await expect(train).toBeEnabled();
  await expect(lr).toHaveValue('0.01');
});
