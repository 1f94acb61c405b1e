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
