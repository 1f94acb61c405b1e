import { expect, test, type Page } from '@playwright/test';

/** Collects console errors and uncaught page errors from the moment it is called. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

test('first page measures the preset matmul in a cross-origin-isolated worker', async ({ page }, testInfo) => {
  const errors = collectErrors(page);
  await page.goto('/');

  await expect(page.getByRole('heading', { name: 'looplab', level: 1 })).toBeVisible();
  await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

  // The problem and its default loop nest.
  await expect(page.getByTestId('problem-op')).toHaveText('C[m,n] += A[m,k] * B[k,n]');
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=256, n=256, k=256');
  const nest = page.getByTestId('loop-nest');
  await expect(nest).toContainText('for m in 0..256:');
  await expect(nest).toContainText('for n in 0..256:');
  await expect(nest).toContainText('for k in 0..256:');
  await expect(nest).toContainText('C[m,n] += A[m,k] * B[k,n]');

  // The kernel, measured in the worker: correct and a positive GFLOPS number.
  const status = page.getByTestId('measure-status');
  await expect(status).toHaveAttribute('data-state', /^(done|error)$/, { timeout: 90_000 });
  const state = await status.getAttribute('data-state');
  if (state === 'error') {
    await page.screenshot({ path: testInfo.outputPath('first-page-error.png'), fullPage: true });
    throw new Error(`measurement failed: ${await page.getByTestId('measure-error').textContent()}`);
  }
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
  const gflops = Number(await page.getByTestId('gflops').getAttribute('data-value'));
  expect(gflops).toBeGreaterThan(0);
  await expect(page.getByTestId('peak')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
  const peak = Number(await page.getByTestId('peak').getAttribute('data-value'));
  expect(peak).toBeGreaterThan(0);

  await page.screenshot({ path: testInfo.outputPath('first-page.png'), fullPage: true });
  expect(errors).toEqual([]);
});
