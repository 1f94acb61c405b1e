// Shared Playwright fixtures: every test fails on a console error or an uncaught page error,
// and `shot` writes a named screenshot as a test artifact. Also page helpers the specs share.
import { expect, test as base, type Locator, type Page } from '@playwright/test';

export interface LooplabFixtures {
  /** Console errors and page errors seen so far (the test fails if any remain at its end). */
  consoleErrors: string[];
  /** Saves a screenshot of the page, or of one element, under the test's output folder. */
  shot: (name: string, target?: Locator) => Promise<void>;
}

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export const test = base.extend<LooplabFixtures>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors = collectErrors(page);
      await use(errors);
      expect(errors, 'console errors during the test').toEqual([]);
    },
    { auto: true },
  ],
  shot: async ({ page }, use, testInfo) => {
    await use(async (name, target) => {
      const path = testInfo.outputPath(`${name}.png`);
      if (target) await target.screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
    });
  },
});

/**
 * The refined GFLOPS the performance panel shows for the schedule on screen (the quick figure
 * before it is provisional and is replaced).
 */
export async function measuredGflops(page: Page): Promise<number> {
  const gflops = page.getByTestId('gflops');
  const expected = (await page.getByTestId('schedule').textContent()) ?? '';
  let value = NaN;
  await expect
    .poll(
      async () => {
        if ((await gflops.getAttribute('data-schedule')) !== expected) return false;
        if ((await gflops.getAttribute('data-stage')) !== 'refined') return false;
        const text = await gflops.getAttribute('data-value');
        value = text ? Number(text) : NaN;
        return Number.isFinite(value) && value > 0;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return value;
}

export { expect };
