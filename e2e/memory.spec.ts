// The memory view: the simulated caches of the schedule on screen, their numbers after a k split
// moved outward (B's lines stay in L1 across m), and the machine chooser.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const schedule = (page: Page) => page.getByTestId('schedule');

/** B's simulated L1d misses once the memory view shows the schedule on screen. */
async function bMisses(page: Page): Promise<number> {
  const expected = (await schedule(page).textContent()) ?? '';
  const figures = page.getByTestId('memory-figures');
  await expect(figures).toHaveAttribute('data-schedule', expected, { timeout: 90_000 });
  return Number(await page.getByTestId('memory-misses-L1d-B').getAttribute('data-value'));
}

test('the memory view shows simulated misses per tensor, and a k split moved out cuts B misses', async ({
  page,
  shot,
}) => {
  await page.goto('/#preset=matmul-128&panels=nest,memory');
  await expect(page.getByTestId('memory-for')).toContainText('Figures for AMD Zen 4 core');

  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await input.fill('m n k m:4 n:8');
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText('m:32 n:16 k:128 m:4 n:8');
  const before = await bMisses(page);
  expect(before).toBeGreaterThan(0);
  await expect(page.getByTestId('memory-misses-L1d-B')).toContainText('misses');
  await expect(page.getByTestId('memory-reuse')).toContainText('B: L1d keeps its lines only within one pass');

  // Split k by 32 with the keyboard, then move the outer k to the top.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // Cursor to k:128, loop 2.
  const cursor = page.getByTestId('loop-nest').locator('[data-cursor="true"]');
  const at = Number(await cursor.getAttribute('data-loop'));
  for (let i = at; i < 2; i++) await page.keyboard.press('ArrowDown');
  for (let i = at; i > 2; i--) await page.keyboard.press('ArrowUp');
  await expect(cursor).toHaveAttribute('data-variable', 'k');
  await page.keyboard.press('s');
  await expect(page.getByTestId('split-input')).toBeFocused();
  await page.keyboard.type('32');
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText('m:32 n:16 k:4 k:32 m:4 n:8');
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Shift+ArrowUp');
  await expect(schedule(page)).toHaveText('k:4 m:32 n:16 k:32 m:4 n:8');
  const after = await bMisses(page);
  expect(after).toBeLessThan(before / 4);
  await expect(page.getByTestId('memory-reuse')).toContainText('B: L1d keeps its lines across m:32 (loop 2)');
  await shot('memory-after-k-split', page.getByTestId('memory-panel'));

  // Another machine: the teaching cache has one level.
  await page.getByTestId('memory-machine').selectOption('teaching');
  await expect(page.getByTestId('memory-for')).toContainText('Teaching cache: 1 KiB direct-mapped');
  await expect(page.getByTestId('memory-figures')).toHaveAttribute('data-machine', 'teaching', { timeout: 90_000 });
  await expect(page.getByTestId('memory-level-L1')).toBeVisible();
  await expect(page.getByTestId('memory-level-L2')).toHaveCount(0);
});

test("a teacher's link fixes the machine: every student sees the teaching cache's figures", async ({ page }) => {
  await page.goto('/?machine=teaching#preset=matmul-64&panels=nest,memory');
  await expect(page.getByTestId('memory-for')).toContainText('Figures for Teaching cache: 1 KiB direct-mapped');
  await expect(page.getByTestId('memory-machine')).toBeDisabled();
  await expect(page.getByTestId('memory-figures')).toHaveAttribute('data-machine', 'teaching', { timeout: 90_000 });
  expect(Number(await page.getByTestId('memory-misses-L1-B').getAttribute('data-value'))).toBeGreaterThan(0);
});

test('a large kernel is sampled and says so; a small one is simulated exactly', async ({ page }) => {
  const p = encodeURIComponent('C[m,n] += A[m,k] * B[k,n]\nm=1024, n=1024, k=1024');
  const s = encodeURIComponent('k:64 m:256 n:128 k:16 m:4 n:8');
  await page.goto(`/#p=${p}&s=${s}&panels=nest,memory`);
  const figures = page.getByTestId('memory-figures');
  await expect(figures).toHaveAttribute('data-schedule', 'k:64 m:256 n:128 k:16 m:4 n:8', { timeout: 90_000 });
  await expect(figures).toHaveAttribute('data-method', 'sampled');
  await expect(page.getByTestId('memory-method')).toContainText(
    /^Sampled: [\d.]+ M of the kernel's [\d.]+ M memory accesses simulated/,
  );

  await page.goto('/#preset=matmul-64&panels=nest,memory');
  await expect(figures).toHaveAttribute('data-method', 'exact', { timeout: 90_000 });
  await expect(page.getByTestId('memory-method')).toContainText(
    /^Exact: all [\d.,]+ ( M )?memory accesses of the kernel simulated/,
  );
});

test('sampled figures can be checked against every access simulated, on request, without holding up the page', async ({
  page,
}) => {
  const p = encodeURIComponent('C[m,n] += A[m,k] * B[k,n]\nm=384, n=384, k=384');
  await page.goto(`/#p=${p}&s=${encodeURIComponent('m n k')}&panels=nest,memory`);
  const figures = page.getByTestId('memory-figures');
  await expect(figures).toHaveAttribute('data-method', 'sampled', { timeout: 90_000 });
  const sampledB = Number(await page.getByTestId('memory-misses-L1d-B').getAttribute('data-value'));
  await expect(page.getByTestId('memory-exact')).toContainText(
    /^simulate all 71\.\d M accesses \((about \d+ s|under a second)\)$/,
  );
  await page.getByTestId('memory-exact').click();
  await expect(page.getByTestId('memory-exact-running')).toBeVisible();
  await expect(figures).toHaveAttribute('data-method', 'exact', { timeout: 90_000 });
  await expect(page.getByTestId('memory-method')).toContainText(/^Exact: all 71\.\d M memory accesses/);
  const gap = page.getByTestId('memory-exact-gap');
  await expect(gap).toContainText(
    /the sampled figures were (within [\d.]+% of these|the same as these) \(the furthest: /,
  );
  expect(Number(await gap.getAttribute('data-value'))).toBeLessThan(0.05);
  const exactB = Number(await page.getByTestId('memory-misses-L1d-B').getAttribute('data-value'));
  expect(Math.abs(exactB - sampledB)).toBeLessThanOrEqual(0.05 * exactB);

  // A change of schedule simulates the new one as usual (sampled or exact by its size), the
  // asked-for exact figures stay with their schedule.
  await page.keyboard.press('Shift+ArrowDown');
  await expect(figures).not.toHaveAttribute('data-schedule', 'm n k', { timeout: 90_000 });
  await expect(page.getByTestId('memory-exact-gap')).toHaveCount(0);
});
