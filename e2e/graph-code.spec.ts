// The graph panel (LoopTune's graph, animated per action) and the code panel (C, wasm text by wabt,
// the generator's decisions) follow the loop nest.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const graph = (page: Page) => page.getByTestId('graph');
const graphPanel = (page: Page) => page.getByTestId('graph-panel');
const codePanel = (page: Page) => page.getByTestId('code-panel');

/** The graph's loop nodes (data-loop-text), outermost first. */
async function graphLoops(page: Page): Promise<string[]> {
  return graph(page)
    .getByTestId('graph-loop')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-loop-text') ?? ''));
}

/** Vertical position of each loop row (its translate), in DOM order. */
async function rowOffsets(page: Page): Promise<number[]> {
  return graph(page)
    .locator('g.graph-row')
    .evaluateAll((els) =>
      els.map((e) =>
        Number(/translate\(\s*[-\d.e]+\s*,\s*([-\d.e]+)\s*\)/.exec(e.getAttribute('transform') ?? '')?.[1]),
      ),
    );
}

/** Strides of one loop row: tensor -> stride. */
async function rowStrides(page: Page, loopText: string): Promise<Record<string, number>> {
  const row = graph(page).locator('g.graph-row', {
    has: page.locator(`[data-testid="graph-loop"][data-loop-text="${loopText}"]`),
  });
  const pills = await row
    .getByTestId('graph-stride')
    .evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-tensor') ?? '', Number(e.getAttribute('data-stride'))] as const),
    );
  return Object.fromEntries(pills);
}

test('the graph shows the loops in nesting order with strides; a swap reorders it, a split grows it', async ({
  page,
  shot,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#preset=matmul-256');
  await expect(graph(page)).toBeVisible();
  await expect.poll(() => graphLoops(page)).toEqual(['m:256', 'n:256', 'k:256']);
  await expect(graph(page).locator('[data-testid="graph-loop"][data-cursor="true"]')).toHaveAttribute(
    'data-loop-text',
    'm:256',
  );
  await expect(graph(page).getByTestId('graph-data')).toHaveCount(3);
  await expect(graph(page).getByTestId('graph-compute')).toContainText('C[m,n] += A[m,k] * B[k,n]');
  // Strides of C[m,n], A[m,k], B[k,n] (256 x 256 each): 0 where the tensor is reused.
  expect(await rowStrides(page, 'm:256')).toEqual({ C: 256, A: 256, B: 0 });
  expect(await rowStrides(page, 'n:256')).toEqual({ C: 1, A: 0, B: 1 });
  expect(await rowStrides(page, 'k:256')).toEqual({ C: 0, A: 1, B: 256 });
  await shot('graph-default', graphPanel(page));

  // Swap the cursor loop (m) down: the graph's order changes, the cursor stays on m.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowDown');
  await expect.poll(() => graphLoops(page)).toEqual(['n:256', 'm:256', 'k:256']);
  await expect(graph(page).locator('[data-testid="graph-loop"][data-cursor="true"]')).toHaveAttribute(
    'data-loop-text',
    'm:256',
  );
  // The rows travel (animated) to their places, one pitch apart, in nesting order.
  await expect.poll(() => rowOffsets(page)).toEqual([78, 126, 174]);
  await shot('graph-after-swap', graphPanel(page));

  // Split m by 16 (the store's log, as a link would): a new m:16 row below m:16's parent.
  await page.goto('/#preset=matmul-256&a=swap_down,split_16');
  await expect.poll(() => graphLoops(page)).toEqual(['n:256', 'm:16', 'm:16', 'k:256']);
  expect(await rowStrides(page, 'k:256')).toEqual({ C: 0, A: 1, B: 256 });
  const strides = await graph(page)
    .locator('g.graph-row')
    .evaluateAll((els) =>
      els.map((e) =>
        [...e.querySelectorAll('[data-testid="graph-stride"]')].map((p) => Number(p.getAttribute('data-stride'))),
      ),
    );
  // n:256, m:16 (step 16), m:16 (step 1), k:256.
  expect(strides).toEqual([
    [1, 0, 1],
    [4096, 4096, 0],
    [256, 256, 0],
    [0, 1, 256],
  ]);
  await shot('graph-split', graphPanel(page));
});

test('a packed input: its data node says where it is packed, and the loops inside walk the packed copy', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#preset=matmul-256');
  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await input.fill('k:8 pack(B) m n k:32 m:4 n:8');
  await input.press('Enter');
  await expect.poll(() => graphLoops(page)).toEqual(['k:8 pack(B)', 'm:64', 'n:32', 'k:32', 'm:4', 'n:8']);
  const b = graph(page).locator('[data-testid="graph-data"][data-tensor="B"]');
  await expect(b).toHaveAttribute('data-packed-at', 'k:8 pack(B)');
  await expect(graph(page).locator('[data-testid="graph-data"][data-tensor="A"]')).not.toHaveAttribute(
    'data-packed-at',
    /./,
  );
  // Outside the pack, B itself (k moves 32 rows of 256); inside, the copy's 8-wide micro-panels, 32 deep.
  expect(await rowStrides(page, 'k:8 pack(B)')).toEqual({ C: 0, A: 32, B: 8192 });
  expect(await rowStrides(page, 'n:32')).toEqual({ C: 8, A: 0, B: 256 });
  expect(await rowStrides(page, 'k:32')).toEqual({ C: 0, A: 1, B: 8 });
  expect(await rowStrides(page, 'n:8')).toEqual({ C: 1, A: 0, B: 1 });
  const packedPills = graph(page).locator('[data-testid="graph-stride"][data-tensor="B"][data-packed="true"]');
  await expect(packedPills).toHaveCount(5);
  await expect(packedPills.last().locator('title')).toContainText('reads its packed copy');
});

test('reduced motion: the graph jumps to the new state', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/#preset=matmul-64');
  await expect.poll(() => graphLoops(page)).toEqual(['m:64', 'n:64', 'k:64']);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowDown');
  await expect.poll(() => graphLoops(page)).toEqual(['n:64', 'm:64', 'k:64']);
  // No transition in flight: within two frames every row is at its place and no node is offset.
  const settled = await page.evaluate(
    () =>
      new Promise<(string | null)[]>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            resolve(
              [...document.querySelectorAll('[data-testid="graph"] g.graph-row .graph-loop')].map((e) =>
                e.getAttribute('transform'),
              ),
            ),
          ),
        ),
      ),
  );
  expect(settled.every((t) => t === null || /^translate\(0,\s*0\)$/.test(t))).toBe(true);
  expect(await rowOffsets(page)).toEqual([78, 126, 174]);
});

test('the code panel shows the C of the schedule, the kernel wasm text and the generator decisions', async ({
  page,
  shot,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#preset=matmul-256&a=split_2,down,down,down,swap_up');
  const panel = codePanel(page);
  await expect(panel).toBeVisible();

  // C: the loops with the right bounds, the body with its indices.
  await panel.getByTestId('code-tab-c').click();
  const c = panel.getByTestId('code-c');
  await expect(c).toContainText('void kernel(float C[256][256],');
  await expect(c).toContainText('const float B[256][256]) {');
  await expect(c).toContainText('// schedule: m:128 m:2 k:256 n:256');
  await expect(c).toContainText('for (int m0 = 0; m0 < 256; m0 += 2)');
  await expect(c).toContainText('for (int m = m0; m < m0 + 2; m++)');
  await expect(c).toContainText('C[m][n] += A[m][k] * B[k][n];');
  await shot('code-c', panel);

  // A swap (k back below n) changes the C.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowDown');
  await expect(c).toContainText('// schedule: m:128 m:2 n:256 k:256');

  // wasm: wabt's text of the kernel, with SIMD.
  await panel.getByTestId('code-tab-wasm').click();
  const wasm = panel.getByTestId('code-wasm');
  await expect(wasm).toContainText('(module', { timeout: 30_000 });
  await expect(wasm).toContainText('v128.load');
  await expect(wasm).toContainText('f32x4');
  await expect(wasm).toContainText('(import "env" "memory"');
  await expect(panel.getByTestId('code-wasm-counts')).toContainText('v128.load');
  await shot('code-wasm', panel);

  // Decisions for m:128 m:2 n k: vectorized along k; A[m,k] is read as vectors, B[k,n] gathered,
  // C[m,n] has no k (horizontal sums).
  await panel.getByTestId('code-tab-report').click();
  const report = panel.getByTestId('code-report');
  await expect(report).toHaveAttribute('data-vectorized', 'k');
  await expect(report.locator('[data-tensor="A"]')).toHaveAttribute('data-access', 'vector');
  await expect(report.locator('[data-tensor="B"]')).toHaveAttribute('data-access', 'gather');
  await expect(report.locator('[data-tensor="C"]')).toContainText('partial sums');
  await expect(panel.getByTestId('code-report-notes')).toContainText('Vectorized along k');
  await expect(panel.getByTestId('code-report-fma')).toContainText(/relaxed_madd|f32x4\.mul/);
  await shot('code-report', panel);

  // A big kernel's text is capped until asked for.
  await page.goto('/#preset=conv-3x3&a=down,down,down,down,down,split_3');
  await codePanel(page).getByTestId('code-tab-wasm').click();
  await expect(codePanel(page).getByTestId('code-wasm')).toContainText('(module', { timeout: 30_000 });
  const more = codePanel(page).getByTestId('code-wasm-show-all');
  if (await more.count()) {
    await more.click();
    await expect(codePanel(page).getByTestId('code-wasm')).toContainText('(export "kernel"');
  }
});
