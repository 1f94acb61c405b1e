// The page at a class projector's sizes, normal and in present mode: nothing overflows sideways,
// the header's buttons wrap instead of leaving the screen, the lesson, the loop nest and the GFLOPS
// figure share the first screen, and no loop label or statement is cut.
import type { Locator, Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures.ts';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
];
const MODES = [
  { name: 'normal', query: '' },
  { name: 'present', query: '&present=1' },
];

async function expectNoHorizontalOverflow(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, 'the document is wider than the window').toBe(clientWidth);
}

/** The element's box lies inside the window, on the first screen (the page not scrolled). */
async function expectOnFirstScreen(page: Page, target: Locator, what: string) {
  const box = await target.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, `${what} is on the page`).not.toBeNull();
  const { x, y, width, height } = box!;
  const outside = [
    x < 0 && `left ${x}`,
    y < 0 && `top ${y}`,
    x + width > viewport.width && `right ${x + width}`,
    y + height > viewport.height && `bottom ${y + height}`,
  ].filter(Boolean);
  expect(outside, `${what} lies outside the ${viewport.width}x${viewport.height} window`).toEqual([]);
}

/** Every loop line's code and the statement fit their line, and every line fits the nest's box. */
async function expectNestLinesWhole(page: Page) {
  const cut = await page.getByTestId('loop-nest').evaluate((nest) => {
    const box = nest.getBoundingClientRect();
    const found: string[] = [];
    for (const code of nest.querySelectorAll<HTMLElement>('.nest-code, .nest-meta')) {
      const r = code.getBoundingClientRect();
      if (code.scrollWidth > code.clientWidth || r.left < box.left - 0.5 || r.right > box.right + 0.5) {
        found.push(code.textContent ?? '');
      }
    }
    if (nest.scrollWidth > nest.clientWidth) found.push('(the nest scrolls sideways)');
    return found;
  });
  expect(cut, 'loop labels or the statement cut by the loop-nest box').toEqual([]);
}

for (const size of SIZES) {
  for (const mode of MODES) {
    test(`${size.width}x${size.height} ${mode.name}: the lesson, the nest and the GFLOPS figure on the first screen`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await page.goto(`/?lesson=tiling${mode.query}`);
      expect(await page.evaluate(() => document.documentElement.classList.contains('present'))).toBe(
        mode.name === 'present',
      );
      await measuredGflops(page);
      await expectNoHorizontalOverflow(page);
      for (const button of await page.locator('.app-header button').all()) {
        await expectOnFirstScreen(page, button, `the header's "${await button.textContent()}" button`);
      }
      await expectOnFirstScreen(page, page.getByTestId('lesson-title'), 'the lesson title');
      await expectOnFirstScreen(page, page.getByTestId('loop-nest'), 'the loop nest');
      await expectOnFirstScreen(page, page.getByTestId('gflops'), 'the GFLOPS figure');
      await expectNestLinesWhole(page);
    });

    for (const preset of ['conv-3x3', 'matmul-256']) {
      test(`${size.width}x${size.height} ${mode.name}: no loop label of ${preset} is cut`, async ({ page }) => {
        await page.setViewportSize(size);
        await page.goto(`/?${mode.query.slice(1)}#preset=${preset}`);
        await expect(page.getByTestId('nest-loop').first()).toBeVisible();
        await expectNoHorizontalOverflow(page);
        await expectNestLinesWhole(page);
        await expectOnFirstScreen(page, page.getByTestId('loop-nest'), 'the loop nest');
        await expectOnFirstScreen(page, page.getByTestId('gflops'), 'the GFLOPS figure');
      });
    }
  }
}
