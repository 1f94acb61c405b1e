// The memory view across the page: the nest annotated with working sets and reuse marks, the
// explanation citing the change of simulated misses after a k split, the cache-aware roofline,
// the machine chooser changing every figure, a teacher's fixed machine, compare and the handout
// showing simulated misses beside GFLOPS.
import type { Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures.ts';

const SIM_TIMEOUT = { timeout: 90_000 };
const schedule = (page: Page) => page.getByTestId('schedule');

async function typeSchedule(page: Page, text: string, shown: string) {
  await page.getByTestId('schedule-edit').click();
  await page.getByTestId('schedule-input').fill(text);
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText(shown);
}

/** Waits for the memory view to show the schedule on screen, then reads a tensor's misses at a level. */
async function misses(page: Page, level: string, tensor: string): Promise<number> {
  const expected = (await schedule(page).textContent()) ?? '';
  await expect(page.getByTestId('memory-figures')).toHaveAttribute('data-schedule', expected, SIM_TIMEOUT);
  return Number(await page.getByTestId(`memory-misses-${level}-${tensor}`).getAttribute('data-value'));
}

/** Splits k:128 (loop 3) by 32 with the keyboard and swaps the outer k above m and n. */
async function splitKOutward(page: Page) {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
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
}

test('a k split: the annotated nest, the explanation citing the misses, the cache-aware roofline', async ({
  page,
  shot,
}) => {
  await page.goto('/#preset=matmul-128&panels=nest,perf,memory');
  await typeSchedule(page, 'm n k m:4 n:8', 'm:32 n:16 k:128 m:4 n:8');
  const before = await misses(page, 'L1d', 'B');

  // The nest with working sets against Zen 4's 32 KiB L1d / 1 MiB L2: the whole nest (3 x 64 KiB) fits L2 only.
  const loops = page.getByTestId('memory-nest-loop');
  await expect(loops).toHaveCount(5);
  await expect(loops.nth(0)).toHaveAttribute('data-fits', 'L2');
  await expect(loops.nth(0)).toContainText('192 KiB · fits L2');
  await expect(loops.nth(4)).toHaveAttribute('data-fits', 'L1');
  // B's lines stay in L2 across m (its L1d reuse is within one pass of the tile): a mark on m:32.
  await expect(loops.nth(0).locator('[data-testid="memory-mark"][data-tensor="B"]')).toHaveAttribute(
    'data-level',
    'L2',
  );

  await splitKOutward(page);
  const after = await misses(page, 'L1d', 'B');
  expect(after).toBeLessThan(before / 4);
  // Now L1d keeps B across m:32 (loop 2).
  await expect(loops.nth(1).locator('[data-testid="memory-mark"][data-tensor="B"][data-level="L1d"]')).toHaveCount(1);

  // The explanation of the last swap cites the simulated misses before and after it.
  const cited = page.getByTestId('explain-misses');
  await expect(cited).toHaveAttribute('data-state', 'done', SIM_TIMEOUT);
  await expect(cited).toContainText(/B's L1d misses: [\d.]+ k? → [\d.]+ k?/);
  await expect(cited).toContainText('simulated on AMD Zen 4 core');
  await expect(page.getByTestId('explain-cache-note')).toContainText('AMD Zen 4 core, L1 32 KiB (8-way');
  await shot('memory-view-explain', page.getByTestId('explain-panel'));

  // The roofline: one square per level at its simulated intensity, a stated roof between L1d and L2.
  await measuredGflops(page);
  const squares = page.getByTestId('roofline-level');
  await expect(squares).toHaveCount(2, SIM_TIMEOUT);
  await expect(squares.first()).toHaveAttribute('data-level', 'L1d');
  const l1 = Number(await squares.nth(0).getAttribute('data-intensity'));
  const l2 = Number(await squares.nth(1).getAttribute('data-intensity'));
  expect(l1).toBeGreaterThan(0);
  expect(l2).toBeGreaterThan(l1);
  await expect(page.getByTestId('roofline-level-roof')).toHaveAttribute('data-value', String(32 * 4.5e9));
  await expect(page.getByTestId('roofline-cache')).toContainText('L1d ← L2:');
  await expect(page.getByTestId('roofline-cache')).toContainText('L2 ← memory:');
  await shot('memory-view-nest', page.getByTestId('memory-panel'));
  await shot('memory-view-roofline', page.getByTestId('performance-charts'));
});

test('the machine chooser changes every figure: misses, working sets, the explanation', async ({ page }) => {
  await page.goto('/#preset=matmul-128&panels=nest,memory');
  await typeSchedule(page, 'm n k m:4 n:8', 'm:32 n:16 k:128 m:4 n:8');
  await splitKOutward(page);
  const zen4 = await misses(page, 'L2', 'B');
  await expect(page.getByTestId('explain-misses')).toContainText('simulated on AMD Zen 4 core', SIM_TIMEOUT);

  await page.getByTestId('memory-machine').selectOption('apple-m1');
  await expect(page.getByTestId('memory-figures')).toHaveAttribute('data-machine', 'apple-m1', SIM_TIMEOUT);
  const m1 = Number(await page.getByTestId('memory-misses-L2-B').getAttribute('data-value'));
  // 128-byte lines: half as many lines of B to bring in.
  expect(m1).toBeLessThan(zen4);
  await expect(page.getByTestId('explain-cache-note')).toContainText('Apple M1 P-core');
  await expect(page.getByTestId('explain-misses')).toContainText('simulated on Apple M1 P-core', SIM_TIMEOUT);
  // The whole nest (192 KiB) fits the M1's 128 KiB L1d? No: over it, inside its L2.
  await expect(page.getByTestId('memory-nest-loop').nth(0)).toHaveAttribute('data-fits', 'L2');
  await expect(page.getByTestId('memory-nest-loop').nth(1)).toHaveAttribute('data-fits', 'L1');
});

test("a teacher's link fixes the machine for the explanation and compare as well", async ({ page, shot }) => {
  await page.goto('/?machine=teaching#preset=matmul-64&panels=nest,compare');
  await expect(page.getByTestId('explain-cache-note')).toContainText('Teaching cache: 1 KiB direct-mapped');
  await expect(page.getByTestId('explain-cache-note')).toContainText('no L2');
  await page.getByTestId('compare-pin').click();
  await typeSchedule(page, 'm k n', 'm:64 k:64 n:64');
  const pinned = page.getByTestId('compare-pinned-misses');
  const current = page.getByTestId('compare-current-misses');
  await expect(pinned).toHaveAttribute('data-machine', 'teaching', SIM_TIMEOUT);
  await expect(current).toHaveAttribute('data-machine', 'teaching', SIM_TIMEOUT);
  await expect(pinned).toContainText('L1 misses: C');
  await expect(pinned).toContainText('simulated on Teaching cache');
  // m n k walks B down a column, a line per step; m k n reads B's rows: far fewer misses.
  const bOf = async (side: typeof pinned) => {
    const values = (await side.locator('[data-level="L1"]').getAttribute('data-values')) ?? '';
    return Number(/B=(\d+)/.exec(values)?.[1]);
  };
  expect(await bOf(current)).toBeLessThan((await bOf(pinned)) / 2);
  await shot('memory-view-compare', page.getByTestId('compare-panel'));
});

test('the filled-in handout prints simulated misses beside the GFLOPS', async ({ page }) => {
  await page.goto('/?lesson=tiling');
  await measuredGflops(page);
  await page.getByTestId('lesson-handout').click();
  await page.getByTestId('handout-mode-filled').click();
  await expect(page.getByTestId('handout-machine')).toContainText('AMD Zen 4 core');
  const row = page.getByTestId('handout-row').first();
  await expect(row.getByTestId('handout-misses')).toContainText(/L1d misses: C [\d.]+ ?k?, A/, SIM_TIMEOUT);
  await expect(row.getByTestId('handout-misses')).toContainText('L2 misses: C');
});
