// Teaching views: the access-pattern animation steps through a tiny matmul showing the expected
// cells of C, A and B (as text, data attributes and painted canvas cells), follows a new schedule,
// plays and pauses, and says how it samples a large matrix; "Why did that change?" explains
// swaps, splits, merges and cursor moves from the schedule's facts.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const TINY = 'C[m,n] += A[m,k] * B[k,n]\nm=2, n=3, k=2';
const tinyUrl = (panels: string) => `/#p=${encodeURIComponent(TINY)}&panels=${panels}`;

const grid = (page: Page, tensor: string) => page.getByTestId(`access-grid-${tensor}`);
const status = (page: Page) => page.getByTestId('access-status');

/** The lit cells of the latest step and the recent ones, per tensor. */
async function expectCells(page: Page, cells: Record<string, { current: string; recent: string }>) {
  for (const [tensor, { current, recent }] of Object.entries(cells)) {
    await expect(grid(page, tensor)).toHaveAttribute('data-current', current);
    await expect(grid(page, tensor)).toHaveAttribute('data-recent', recent);
  }
}

/** RGB of the painted cell (row, col) of a tensor's canvas (cells are square, no downsampling here). */
async function cellColor(
  page: Page,
  tensor: string,
  rows: number,
  cols: number,
  row: number,
  col: number,
): Promise<number[]> {
  return grid(page, tensor)
    .locator('canvas')
    .evaluate(
      (canvas: HTMLCanvasElement, [rows, cols, row, col]) => {
        const ctx = canvas.getContext('2d')!;
        const w = canvas.width / cols;
        const h = canvas.height / rows;
        const d = ctx.getImageData(Math.floor((col + 0.5) * w), Math.floor((row + 0.5) * h), 1, 1).data;
        return [d[0], d[1], d[2]];
      },
      [rows, cols, row, col],
    );
}
const GREY = [238, 238, 238];

test('the access-pattern view steps through a tiny matmul and shows the expected cells', async ({ page, shot }) => {
  await page.goto(tinyUrl('problem,nest,access'));
  await expect(page.getByTestId('schedule')).toHaveText('m:2 n:3 k:2');
  await expect(status(page)).toContainText('step 0 of 12');

  // m n k: k is innermost, so A walks a row, B walks a column, C stays on one element.
  await page.getByTestId('access-step').click();
  await expect(status(page)).toContainText('step 1 of 12: C[0,0] += A[0,0] * B[0,0]');
  await expectCells(page, {
    C: { current: '0,0', recent: '0,0' },
    A: { current: '0,0', recent: '0,0' },
    B: { current: '0,0', recent: '0,0' },
  });
  await page.getByTestId('access-step').click();
  await expect(status(page)).toContainText('step 2 of 12: C[0,0] += A[0,1] * B[1,0]');
  await expectCells(page, {
    C: { current: '0,0', recent: '0,0' },
    A: { current: '0,1', recent: '0,1 0,0' },
    B: { current: '1,0', recent: '1,0 0,0' },
  });
  await page.getByTestId('access-step').click();
  await expect(status(page)).toContainText('step 3 of 12: C[0,1] += A[0,0] * B[0,1]');
  await expectCells(page, {
    C: { current: '0,1', recent: '0,1 0,0' },
    A: { current: '0,0', recent: '0,0 0,1' },
    B: { current: '0,1', recent: '0,1 1,0 0,0' },
  });
  await expect(grid(page, 'B')).toContainText('latest: B[0,1], B[1,0], B[0,0]');
  // The canvas: B's touched cells are painted, the others still grey.
  for (const [r, c] of [
    [0, 0],
    [1, 0],
    [0, 1],
  ])
    expect(await cellColor(page, 'B', 2, 3, r, c)).not.toEqual(GREY);
  for (const [r, c] of [
    [1, 1],
    [0, 2],
    [1, 2],
  ])
    expect(await cellColor(page, 'B', 2, 3, r, c)).toEqual(GREY);
  await shot('access-tiny-m-n-k', page.getByTestId('access-panel'));

  // Swap to m k n (cursor to n, swap it down): the view restarts on the new order.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('schedule')).toHaveText('m:2 k:2 n:3');
  await expect(status(page)).toContainText('step 0 of 12');
  await page.getByTestId('access-step-inner').click(); // one pass of n: 3 steps
  await expect(status(page)).toContainText('step 3 of 12: C[0,2] += A[0,0] * B[0,2]');
  // n innermost: A[0,0] is reused three times while B and C walk their rows.
  await expectCells(page, {
    C: { current: '0,2', recent: '0,2 0,1 0,0' },
    A: { current: '0,0', recent: '0,0' },
    B: { current: '0,2', recent: '0,2 0,1 0,0' },
  });

  // Reset, then play to the end at a high speed; the last step is C[1,2] += A[1,1] * B[1,2].
  await page.getByTestId('access-reset').click();
  await expect(status(page)).toContainText('step 0 of 12');
  await page.getByTestId('access-speed').selectOption('64');
  await page.getByTestId('access-play').click();
  await expect(status(page)).toContainText('step 12 of 12: C[1,2] += A[1,1] * B[1,2]');
  await expect(page.getByTestId('access-play')).toBeDisabled();
});

test('play and pause on a large matmul, drawn downsampled or through a window, and saying which', async ({ page }) => {
  await page.goto('/#preset=matmul-256&panels=nest,access');
  await expect(page.getByTestId('access-sampled-A')).toContainText(
    'each cell is a 4×4 block of elements (64×64 cells)',
  );
  await expect(status(page)).toContainText('step 0 of 16777216');
  await page.getByTestId('access-speed').selectOption('16384');
  await page.getByTestId('access-play').click();
  await expect(page.getByTestId('access-play')).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(async () => Number(/step (\d+) of/.exec((await status(page).textContent()) ?? '')?.[1] ?? 0))
    .toBeGreaterThan(1000);
  await page.getByTestId('access-play').click();
  await expect(page.getByTestId('access-play')).toHaveAttribute('aria-pressed', 'false');
  const paused = await status(page).textContent();
  await page.waitForTimeout(300);
  await expect(status(page)).toHaveText(paused ?? '');
  // m n k: the latest A cells are along one row (k moves), B's along one column.
  const recentA = ((await grid(page, 'A').getAttribute('data-recent')) ?? '').split(' ');
  expect(new Set(recentA.map((c) => c.split(',')[0])).size).toBe(1);
  const recentB = ((await grid(page, 'B').getAttribute('data-recent')) ?? '').split(' ');
  expect(new Set(recentB.map((c) => c.split(',')[1])).size).toBe(1);
  // The other way to sample: a window of the top-left elements.
  await page.getByTestId('access-sampling').selectOption('window');
  await expect(page.getByTestId('access-sampled-A')).toContainText(
    'window: only the top-left 64×64 elements are drawn',
  );
  await expect(status(page)).toContainText('step 0 of 16777216');
});

test('explanations appear after swaps, splits and merges; a cursor move keeps the last one', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-256&panels=nest,perf');
  const panel = page.getByTestId('explain-panel');
  await expect(panel.getByTestId('explain-empty')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  // Swap n below k: the innermost loop becomes n, B is read with stride 1. Moving the cursor there
  // explains nothing yet.
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('history-position')).toHaveText('step 1 of 1');
  await expect(panel.getByTestId('explain-empty')).toBeVisible();
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('schedule')).toHaveText('m:256 k:256 n:256');
  const first = panel.getByTestId('explain-sentence').first();
  await expect(first).toContainText('innermost loop is now n:256 (was k:256), vectorized along n');
  await expect(first).toContainText('C and B move by 1 float');
  await expect(first).toContainText('before, B moved by 256 floats (1 KiB) per step');
  // Once both kernels are measured the sentence leads with the figures.
  await expect(first).toContainText(/\d → [\d.]+ GFLOPS \([\d.]+× (faster|slower)\)/, { timeout: 90_000 });
  await shot('explain-after-swap', panel);

  // Split n by 16 (s, 16, Enter): the innermost loop gets shorter.
  await page.keyboard.press('s');
  await page.getByTestId('split-input').fill('16');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('schedule')).toHaveText('m:256 k:256 n:16 n:16');
  await expect(panel.getByTestId('explain')).toContainText('after split_16');
  await expect(panel.getByTestId('explain-sentence').first()).toContainText(
    'the innermost loop is now n:16 (was n:256)',
  );

  // A cursor move keeps the split's explanation. Merge it back: the explanation names the longer
  // innermost loop.
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('history-position')).toHaveText(/^step 4 of 4/);
  await expect(panel.getByTestId('explain-action')).toHaveText('after split_16 (step 3 of 4)');
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('schedule')).toHaveText('m:256 k:256 n:256');
  await expect(panel.getByTestId('explain')).toContainText('after merge');
  await expect(panel.getByTestId('explain-sentence').first()).toContainText(
    'the innermost loop is now n:256 (was n:16)',
  );
  await expect(panel).toContainText('L1 32 KiB');

  // Undo explains the undo: from the merged schedule back to the split one.
  await page.keyboard.press('u');
  await expect(page.getByTestId('schedule')).toHaveText('m:256 k:256 n:16 n:16');
  await expect(panel.getByTestId('explain-action')).toHaveText(/^undid merge \(step \d+ of \d+\)$/);
  await expect(panel.getByTestId('explain-sentence').first()).toContainText(
    'the innermost loop is now n:16 (was n:256)',
  );
});

test('a convolution is shown as 2-D slices of each tensor, following the latest access', async ({ page, shot }) => {
  await page.goto('/#preset=conv-3x3&panels=nest,access');
  await page.getByTestId('access-step-inner').click(); // one pass of kw: 3 steps
  await expect(status(page)).toContainText('step 3 of');
  await expect(status(page)).toContainText('O[0,0,0] += I[0,0,2] * W[0,0,0,2]');
  await expect(grid(page, 'O')).toContainText('O[co,oh,ow] 28×28 · slice O[0, :, :] of 64 slices');
  await expect(grid(page, 'I')).toContainText('I[ci,oh+kh,ow+kw] 30×30 · slice I[0, :, :] of 64 slices');
  await expect(grid(page, 'W')).toContainText('W[co,ci,kh,kw] 3×3 · slice W[0, 0, :, :] of 4096 slices');
  // The window of I slides along one row while kw moves.
  await expect(grid(page, 'I')).toHaveAttribute('data-recent', '0,0,2 0,0,1 0,0,0');
  await shot('access-conv', page.getByTestId('access-panel'));
});

test('in present mode the grids grow with the type', async ({ page }) => {
  const width = async () =>
    grid(page, 'A')
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width);
  await page.goto(tinyUrl('nest,access'));
  await expect(status(page)).toContainText('step 0 of 12');
  const normal = await width();
  await page.goto(`/?present=1${tinyUrl('nest,access').slice(1)}`);
  await expect(page.locator('html.present')).toHaveCount(1);
  await expect(status(page)).toContainText('step 0 of 12');
  await expect.poll(width).toBeGreaterThan(normal * 1.1);
  // Leaving present mode from the header shrinks them again.
  await page.getByTestId('present-toggle').click();
  await expect(page.locator('html.present')).toHaveCount(0);
  await expect.poll(width).toBeCloseTo(normal, 0);
});
