// Text a person reads whole at a class projector's sizes: the header's tagline and the C view's
// trailing comments are never cut; and a problem too large for its default schedule says so.
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];

/** Where the element's text is cut: clipped by its own box (ellipsis, overflow) or by the window. */
async function cutText(page: Page, target: Locator): Promise<string[]> {
  const viewport = page.viewportSize()!;
  return target.evaluate((el, width) => {
    const found: string[] = [];
    const r = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 0.5)
      found.push(`scrolls or is clipped (${el.scrollWidth} > ${el.clientWidth})`);
    if (r.width === 0 || r.height === 0) found.push('is not shown');
    if (r.left < 0 || r.right > width + 0.5) found.push(`runs off the window (${r.left}..${r.right})`);
    return found;
  }, viewport.width);
}

for (const size of SIZES) {
  test(`${size.width}x${size.height}: the tagline is shown whole`, async ({ page, shot }) => {
    await page.setViewportSize(size);
    await page.goto('/#preset=matmul-256');
    const tagline = page.locator('.tagline');
    await expect(tagline).toBeVisible();
    await expect(tagline).toHaveText('reorder and split loops; WebAssembly SIMD kernels timed on your CPU');
    expect(await cutText(page, tagline)).toEqual([]);
    await shot(`header-${size.width}`, page.locator('.app-header'));
  });

  test(`${size.width}x${size.height}: the C view's trailing comments are not clipped`, async ({ page, shot }) => {
    await page.setViewportSize(size);
    await page.goto(
      '/#p=' +
        encodeURIComponent(
          'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]\nco=64, ci=64, oh=56, ow=56, kh=3, kw=3',
        ) +
        '&s=' +
        encodeURIComponent('co oh ow ci kh kw co:4 oh:3 ow:16'),
    );
    const panel = page.getByTestId('code-panel');
    await panel.getByTestId('code-tab-c').click();
    const c = panel.getByTestId('code-c');
    await expect(c).toContainText('// oh:18 r2: 18 x 3, then a tail of 2');
    expect(await cutText(page, c)).toEqual([]);
    // Every comment ends inside the view's box (it wraps rather than runs past the edge).
    const outside = await c.evaluate((pre) => {
      const box = pre.getBoundingClientRect();
      return [...pre.querySelectorAll('.c-comment')]
        .filter((el) => [...el.getClientRects()].some((r) => r.right > box.right + 0.5))
        .map((el) => el.textContent);
    });
    expect(outside).toEqual([]);
    await shot(`code-c-${size.width}`, c);
  });
}

test('a 4096^3 matmul is accepted with a word that its default schedule takes minutes', async ({ page }) => {
  await page.goto(`/#p=${encodeURIComponent('C[m,n] += A[m,k] * B[k,n]\nm=4096, n=4096, k=4096')}`);
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=4096, n=4096, k=4096');
  await expect(page.getByTestId('problem-slow')).toContainText(
    'one whole run of its default schedule (137 GFLOP) takes about 2 minutes',
  );
  // A problem of ordinary size has no such word.
  await page.getByTestId('preset-select').selectOption('matmul-256');
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=256, n=256, k=256');
  await expect(page.getByTestId('problem-slow')).toHaveCount(0);
});
