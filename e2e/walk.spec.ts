// What a person trips over on large problems: labels that overflow their boxes, figures without
// what they were measured on.
import { expect, test } from './fixtures';

test("a packed loop's label stays inside its node in the graph", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#preset=matmul-1024&s=m:1024+n:1024+pack(A)+k:1024');
  const packed = page.locator('[data-testid="graph-loop"][data-loop-text="n:1024 pack(A)"]');
  await expect(packed).toBeVisible();
  const widths = await packed.evaluate((node) => {
    const text = node.querySelector('text') as SVGTextElement;
    const rect = node.querySelector('rect.graph-loop-rect') as SVGRectElement;
    return { text: text.getBBox().width, node: rect.getBBox().width };
  });
  expect(widths.text).toBeLessThanOrEqual(widths.node - 8);
});

test("the agent's and the race's figures on a large problem say they are quick timings on slices", async ({ page }) => {
  await page.goto('/#preset=matmul-1024&panels=nest,perf,agent,lab');
  const slices = /a kernel that would run over 10 ms is timed on a slice of its first iterations, about 3 ms/;
  await expect(page.locator('.lab-hint').first()).toContainText(slices);
  await page.getByTestId('agent-drive').click();
  await expect(page.getByTestId('agent-summary')).toHaveAttribute('data-best-gflops', /^\d/, { timeout: 60_000 });
  await expect(page.getByTestId('agent-timings-note')).toContainText(slices);
  await expect(page.getByTestId('agent-candidates').locator('th', { hasText: 'measured GFLOPS' })).toBeVisible();
});

test('a key pressed while the whole kernel runs gets its figure at once, not after the whole run', async ({ page }) => {
  // matmul 2048^3's default schedule: about 17 s whole at 1 GFLOPS, stopped at the 10 s limit.
  const problem = encodeURIComponent('C[m,n] += A[m,k] * B[k,n]\nm=2048, n=2048, k=2048');
  await page.goto(`/#p=${problem}&panels=nest,perf`);
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-value', /^\d/, { timeout: 30_000 });
  await page.getByTestId('measure-whole').click();
  await expect(page.getByTestId('measure-whole')).toHaveText('running the whole kernel…');
  await page.getByTestId('loop-nest').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('s');
  await page.keyboard.press('8');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('schedule')).toHaveText('m:2048 n:2048 k:256 k:8');
  const gflops = page.getByTestId('gflops');
  await expect(gflops).toHaveAttribute('data-schedule', 'm:2048 n:2048 k:256 k:8', { timeout: 5_000 });
  await expect(gflops).toHaveAttribute('data-value', /^\d/, { timeout: 5_000 });
});

test('on a large problem a key right after the first figure gets its figure at once, not after XNNPACK', async ({
  page,
}) => {
  // XNNPACK on 2048^3 (loading tfjs, then timing a 17 GFLOP matmul) takes seconds.
  const problem = encodeURIComponent('C[m,n] += A[m,k] * B[k,n]\nm=2048, n=2048, k=2048');
  await page.goto(`/#p=${problem}&panels=nest,perf`);
  const gflops = page.getByTestId('gflops');
  await expect(gflops).toHaveAttribute('data-value', /^\d/, { timeout: 30_000 });
  await expect(page.getByTestId('xnnpack')).toHaveAttribute('data-state', 'measuring');
  await page.getByTestId('loop-nest').focus();
  for (const key of ['ArrowDown', 'ArrowDown', 's', '8', 'Enter']) await page.keyboard.press(key);
  await expect(page.getByTestId('schedule')).toHaveText('m:2048 n:2048 k:256 k:8');
  await expect(gflops).toHaveAttribute('data-schedule', 'm:2048 n:2048 k:256 k:8', { timeout: 3_000 });
  await expect(gflops).toHaveAttribute('data-value', /^\d/, { timeout: 3_000 });
});
