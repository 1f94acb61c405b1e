// Every lesson at the sizes a classroom projects (1024x768, 1280x720), normal and present: its
// tasks are on the first screen, inside the lesson panel's visible box, before any scrolling.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The task heads not inside the lesson panel's visible box, and how far the page is scrolled. */
function tasksCut(page: Page): Promise<{ out: string[]; scrolled: number }> {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid="lesson-panel"]')!.getBoundingClientRect();
    const bottom = Math.min(window.innerHeight, panel.bottom);
    const out: string[] = [];
    for (const head of document.querySelectorAll('[data-testid="lesson"] .lesson-task-head')) {
      const r = head.getBoundingClientRect();
      if (r.top < panel.top || r.bottom > bottom + 0.5 || r.top < 0)
        out.push(
          `${(head.textContent ?? '').slice(0, 40)}: ${Math.round(r.top)}–${Math.round(r.bottom)} of ${Math.round(bottom)}`,
        );
    }
    return { out, scrolled: window.scrollY };
  });
}

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
];

for (const size of SIZES) {
  for (const present of [false, true]) {
    test(`every lesson's tasks are on the first screen at ${size.width}x${size.height}${present ? ', present mode' : ''}`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await page.goto('/?lesson=loop-order');
      // The list of every lesson, from the page's own progress list.
      const items = page.getByTestId('lesson-progress').locator('li[data-total]');
      await expect(items.first()).toBeAttached();
      const ids = await items.evaluateAll((lis) =>
        lis.map((li) => (li.getAttribute('data-testid') ?? '').replace('lesson-progress-', '')),
      );
      expect(ids.length).toBeGreaterThanOrEqual(7);
      for (const id of ids) {
        await page.goto(`/?lesson=${id}${present ? '&present=1' : ''}`);
        await expect(page.getByTestId('lesson')).toHaveAttribute('data-lesson', id);
        await expect(page.locator('html')).toHaveClass(present ? /present/ : /^(?!.*present)/);
        const heads = page.getByTestId('lesson').locator('.lesson-task-head');
        await expect(heads.first()).toBeVisible();
        expect(await tasksCut(page), `lesson ${id}, first paint`).toEqual({ out: [], scrolled: 0 });
        // Once the quick figure is in, a task comparing speeds says what it waits for (its longest
        // line): the tasks must still be on the first screen.
        await expect(page.getByTestId('gflops')).not.toHaveAttribute('data-value', '');
        expect(await tasksCut(page), `lesson ${id}, quick figure in`).toEqual({ out: [], scrolled: 0 });
      }
    });
  }
}
