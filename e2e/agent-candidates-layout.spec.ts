// The agent's candidate table fits its panel: every column (action with its schedule, predicted GFLOPS,
// measured) lies inside the agent panel at a class projector's and a desktop's sizes, with no
// sideways scrolling to reach the figures.
import { expect, test } from './fixtures.ts';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];

test("the candidate table's columns, the predicted and measured GFLOPS included, lie inside the agent panel", async ({
  page,
  shot,
}) => {
  await page.setViewportSize(SIZES[1]);
  await page.goto('/#preset=matmul-128');
  await expect(page.getByTestId('schedule')).toHaveText('m:128 n:128 k:128');
  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(panel.getByTestId('agent-play')).toBeVisible({ timeout: 30_000 });
  // The last decision: the table lists measured figures too.
  await panel.getByTestId('agent-player').focus();
  await page.keyboard.press('End');
  const table = panel.locator('.agent-candidate-table');
  await expect(table.locator('[data-testid="agent-candidate"][data-measured]').first()).toBeVisible();

  for (const size of SIZES) {
    await page.setViewportSize(size);
    await table.scrollIntoViewIfNeeded();
    const found = await panel.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const cells = el.querySelectorAll<HTMLElement>('.agent-candidate-table th, .agent-candidate-table td');
      const outside: string[] = [];
      for (const cell of cells) {
        const r = cell.getBoundingClientRect();
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || cell.scrollWidth > cell.clientWidth + 1) {
          outside.push(`${cell.textContent?.trim()} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
        }
      }
      return {
        cells: cells.length,
        outside,
        panel: [Math.round(box.left), Math.round(box.right)],
        sideways: el.scrollWidth > el.clientWidth,
        onScreen: box.right <= document.documentElement.clientWidth,
      };
    });
    expect(found.cells, 'the table has cells').toBeGreaterThan(8);
    expect(found.outside, `cells outside the agent panel ${found.panel} at ${size.width}x${size.height}`).toEqual([]);
    expect(found.sideways, `the agent panel scrolls sideways at ${size.width}x${size.height}`).toBe(false);
    expect(found.onScreen, `the agent panel leaves the window at ${size.width}x${size.height}`).toBe(true);
    for (const header of ['predicted GFLOPS', 'measured']) {
      await expect(table.locator('th', { hasText: header })).toBeInViewport();
    }
    await shot(`agent-candidates-${size.width}x${size.height}`, panel);
  }
});
