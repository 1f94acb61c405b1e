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
  const slices = /a kernel whose full run would take over 10 ms is timed on a slice of about 3 ms/;
  await expect(page.locator('.lab-hint').first()).toContainText(slices);
  await page.getByTestId('agent-drive').click();
  await expect(page.getByTestId('agent-summary')).toHaveAttribute('data-best-gflops', /^\d/, { timeout: 60_000 });
  await expect(page.getByTestId('agent-timings-note')).toContainText(slices);
  await expect(page.getByTestId('agent-candidates').locator('th', { hasText: 'measured GFLOPS' })).toBeVisible();
});
