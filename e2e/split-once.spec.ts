// A split by a loop's whole trip would leave an outer loop that runs once (`m:16` by 16 gives
// `m:16 m:1 m:16`): the split prompt greys it out with the reason, and typing it is refused.
import { expect, test } from './fixtures.ts';

const ONCE =
  "can't split m:16 by 16: the outer loop would run once (m:1) and change nothing; split by a factor below 16";

test('the split prompt never offers a split that leaves a loop running once', async ({ page }) => {
  await page.goto('/#preset=matmul-64&a=split_16,down');
  const schedule = page.getByTestId('schedule');
  await expect(schedule).toHaveText('m:4 m:16 n:64 k:64');
  await expect(page.getByTestId('loop-nest').locator('[data-cursor="true"]')).toContainText('for m in 0..16:');
  await page.keyboard.press('s');
  await expect(page.getByTestId('split-prompt')).toBeVisible();
  await expect(page.getByTestId('split-factor-16')).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByTestId('split-factor-16')).toHaveAttribute('title', ONCE);
  await expect(page.getByTestId('split-factor-8')).not.toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.type('16');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('refusal')).toHaveText(ONCE);
  await expect(schedule).toHaveText('m:4 m:16 n:64 k:64');
});
