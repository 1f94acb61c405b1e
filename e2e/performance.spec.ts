// The performance panel: best/median GFLOPS, correctness, % of peak, the XNNPACK line, the history
// chart (new points, click to jump), the roofline, a long run on `b` with progress, and a kernel
// that runs too long (the worker is restarted and the page says so, then keeps working).
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const panel = (page: Page) => page.getByTestId('performance-panel');
const schedule = (page: Page) => page.getByTestId('schedule');
const points = (page: Page) => page.getByTestId('history-point');

async function numberAttr(page: Page, testId: string, name = 'data-value'): Promise<number> {
  const text = await page.getByTestId(testId).getAttribute(name);
  return text ? Number(text) : NaN;
}

/** Waits until the current schedule's refined GFLOPS is on screen and returns it. */
async function measured(page: Page): Promise<number> {
  await expect(page.getByTestId('measure-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-stage', 'refined', { timeout: 90_000 });
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-value', /^\d/);
  return numberAttr(page, 'gflops');
}

test('the panel shows best and median GFLOPS, correctness, % of peak, XNNPACK and the roofline', async ({
  page,
  shot,
}) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  const best = await measured(page);
  expect(best).toBeGreaterThan(0);
  // The refined figure is a median, with its interval.
  const interval = page.getByTestId('gflops-interval');
  await expect(interval).toContainText(/median of \d+ samples, 95% within [\d.]+–[\d.]+/);
  expect(Number(await interval.getAttribute('data-low'))).toBeLessThanOrEqual(best);
  expect(Number(await interval.getAttribute('data-high'))).toBeGreaterThanOrEqual(best);
  await expect(page.getByTestId('machine-noise')).toContainText(/machine (steady \((<)?±\d+%\)|busy: figures ±\d+%)/);
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
  await expect(page.getByTestId('correct')).toHaveText('✓ correct');

  // Peak and % of peak.
  await expect(page.getByTestId('peak')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
  const peak = await numberAttr(page, 'peak');
  await expect(page.getByTestId('percent-of-peak')).toHaveAttribute('data-value', /^\d/);
  expect(await numberAttr(page, 'percent-of-peak')).toBeCloseTo((100 * best) / peak, 6);
  await expect(page.getByTestId('percent-of-peak')).toContainText('% of peak');

  // XNNPACK (tfjs-backend-wasm loaded in the worker on demand) for this matmul.
  const xnnpack = page.getByTestId('xnnpack');
  await expect(xnnpack).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  expect(await numberAttr(page, 'xnnpack')).toBeGreaterThan(0);
  await expect(xnnpack).toContainText(/XNNPACK \(tfjs-backend-wasm matMul, one thread\): [\d.]+ GFLOPS/);
  await expect(page.getByTestId('performance-charts').getByTestId('history-xnnpack-line')).toHaveCount(1);
  await expect(page.getByTestId('performance-charts').getByTestId('history-peak-line')).toHaveCount(1);

  // The roofline: the peak roof, the memory roof (bandwidth measured after the peak), the kernel's point.
  await expect(page.getByTestId('roofline-point')).toHaveAttribute('data-value', String(best));
  const intensity = Number(await page.getByTestId('roofline-point').getAttribute('data-intensity'));
  expect(intensity).toBeCloseTo((2 * 256 ** 3) / (3 * 256 * 256 * 4), 6);
  await expect(page.getByTestId('roofline-peak')).toHaveAttribute('data-value', String(peak));
  await expect(page.getByTestId('roofline-memory')).toHaveAttribute('data-value', /^\d/, { timeout: 30_000 });
  await expect(page.getByTestId('roofline-caption')).toContainText(
    'Horizontal line: the measured SIMD multiply-add peak',
  );
  await expect(page.getByTestId('roofline-caption')).toContainText('Slanted line: memory bandwidth');
  await expect(page.getByTestId('roofline-caption')).toContainText('flop/byte');

  await shot('performance-panel', panel(page));
});

test('a convolution gets the XNNPACK line from tf.conv2d', async ({ page }) => {
  await page.goto('/#preset=conv-3x3-stride2');
  await measured(page);
  await expect(page.getByTestId('xnnpack')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('xnnpack')).toContainText(
    /XNNPACK \(tfjs-backend-wasm conv2d, one thread\): [\d.]+ GFLOPS/,
  );
});

test('a problem that is neither a matmul nor a convolution says XNNPACK does not apply', async ({ page }) => {
  await page.goto('/#p=C[i]+%2B=+A[i]+*+B[i]%0Ai=4096');
  await expect(page.getByTestId('problem-op')).toHaveText('C[i] += A[i] * B[i]');
  await measured(page);
  await expect(page.getByTestId('xnnpack')).toHaveAttribute('data-state', 'n/a');
  await expect(page.getByTestId('xnnpack')).toHaveText(
    'XNNPACK baseline: only for matmul- and convolution-shaped problems',
  );
});

test('the history chart gets a point per action; clicking a point jumps there', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-128');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  const g0 = await measured(page);
  await expect(points(page)).toHaveCount(1);
  await expect(points(page).first()).toHaveAttribute('data-state', 'measured');
  await expect(points(page).first()).toHaveAttribute('data-value', String(g0));

  // Swap m below n: a new point, pending then measured, and the current one.
  await page.keyboard.press('Shift+ArrowDown');
  await expect(schedule(page)).toHaveText('n:128 m:128 k:128');
  await expect(points(page)).toHaveCount(2);
  const second = points(page).nth(1);
  await expect(second).toHaveAttribute('data-current', 'true');
  await expect(second).toHaveAttribute('data-state', 'measured', { timeout: 60_000 });
  expect(Number(await second.getAttribute('data-value'))).toBeGreaterThan(0);

  // A split (the cursor moved with m): a third point.
  await page.keyboard.press('s');
  await page.getByTestId('split-factor-4').click();
  await expect(schedule(page)).toHaveText('n:128 m:32 m:4 k:128');
  await expect(points(page)).toHaveCount(3);
  await expect(points(page).nth(2)).toHaveAttribute('data-state', 'measured', { timeout: 60_000 });
  await shot('performance-history', page.getByTestId('history-chart'));

  // Click the first point: back to the default schedule (its cached figure shows at once).
  await points(page).first().click();
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await expect(page.getByTestId('loop-nest')).toContainText('for m in 0..128:');
  await expect(points(page).first()).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-value', String(g0));
  // The redo tail stays in the chart; Enter on a focused point jumps too.
  await expect(points(page)).toHaveCount(3);
  await points(page).nth(2).focus();
  await expect(page.getByTestId('history-readout')).toContainText('step 2');
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText('n:128 m:32 m:4 k:128');
});

test('a quick figure first, marked provisional, then the refined one replaces it', async ({ page }) => {
  await page.goto('/#preset=matmul-128');
  await measured(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowDown');
  const gflops = page.getByTestId('gflops');
  // The quick figure lasts about a second on a quiet machine: read the figure and the status line
  // together, every frame, while it is on screen.
  const quick = await page.waitForFunction(
    () => {
      const figure = document.querySelector('[data-testid="gflops"]');
      if (figure?.getAttribute('data-stage') !== 'quick') return null;
      return {
        figure: figure.textContent,
        status: document.querySelector('[data-testid="measure-status"]')?.textContent,
      };
    },
    null,
    { polling: 'raf', timeout: 60_000 },
  );
  const seen = (await quick.jsonValue()) as { figure: string; status: string };
  expect(seen.figure).toMatch(/^≈ [\d.]+ GFLOPS \(quick\)$/);
  expect(seen.status).toContain('quick figure, provisional');
  await expect(gflops).toHaveAttribute('data-stage', 'refined', { timeout: 60_000 });
  await expect(gflops).not.toContainText('quick');
  await expect(points(page).nth(1)).not.toHaveClass(/is-quick/);
  await expect(points(page).nth(1)).toHaveAttribute('data-value', (await gflops.getAttribute('data-value')) ?? '');
});

test('the peak is kept for this device: not measured again on reload, re-measured on request', async ({ page }) => {
  await page.goto('/#preset=matmul-64');
  await expect(page.getByTestId('peak')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
  const first = await numberAttr(page, 'peak');
  await expect(page.getByTestId('peak-source')).toHaveAttribute('data-stored', 'false');
  await page.reload();
  await expect(page.getByTestId('peak-source')).toHaveAttribute('data-stored', 'true', { timeout: 30_000 });
  expect(await numberAttr(page, 'peak')).toBe(first);
  await expect(page.getByTestId('peak-source')).toContainText('kept for this device');
  await page.getByTestId('peak-remeasure').click();
  await expect(page.getByTestId('peak-source')).toHaveAttribute('data-stored', 'false', { timeout: 60_000 });
  await expect(page.getByTestId('peak')).toHaveAttribute('data-value', /^\d/);
  // A damaged record is reported and measured again.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('looplab-machine', 1);
        open.onsuccess = () => {
          const tx = open.result.transaction('peak', 'readwrite');
          tx.objectStore('peak').put({ id: 'peak-1t', gflops: 'fast' });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  await page.reload();
  await expect(page.getByTestId('notice').filter({ hasText: 'the peak kept for this device is damaged' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId('peak')).toHaveAttribute('data-value', /^\d/, { timeout: 60_000 });
});

test('b runs a long measurement with a progress bar', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-128');
  await measured(page);
  await expect(page.getByTestId('long-run-badge')).toHaveCount(0);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('b');
  const progress = page.getByTestId('long-run-progress');
  await expect(progress).toBeVisible();
  // The bar moves while the worker times (~2 s), and the page stays responsive meanwhile.
  await expect
    .poll(async () => Number(await progress.getAttribute('data-value')), { timeout: 30_000 })
    .toBeGreaterThan(0.1);
  await shot('performance-long-run', panel(page));
  await expect(page.getByTestId('measure-status')).toContainText('long run');
  await expect(progress).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('long-run-badge')).toBeVisible();
  await expect(page.getByTestId('measure-status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('measure-status')).toContainText('refined: median of 60 samples');
  expect(await numberAttr(page, 'gflops')).toBeGreaterThan(0);
  await expect(points(page).first()).toHaveClass(/is-long/);
  // The button does the same.
  await page.getByTestId('long-run-button').click();
  await expect(progress).toBeVisible();
  await expect(progress).toHaveCount(0, { timeout: 60_000 });
});

test('a kernel that runs too long: the worker is restarted, the page says so and keeps working', async ({
  page,
  shot,
}) => {
  // The default schedule of matmul 1024^3 takes far more than the 1 s limit set for this test: the
  // page times it on a slice, and its whole run, asked for, is stopped.
  await page.goto('/?kernel-time-limit-ms=1000#preset=matmul-1024');
  await expect(schedule(page)).toHaveText('m:1024 n:1024 k:1024');
  await expect(page.getByTestId('slice-figure')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('measure-whole').click();
  await expect(page.getByTestId('whole-error')).toContainText(
    'the kernel ran longer than 1 s; the worker was restarted',
    { timeout: 60_000 },
  );
  await shot('performance-runaway');

  // The page keeps working on the fresh worker: a smaller problem measures normally.
  await page.getByTestId('preset-select').selectOption('matmul-64');
  await expect(schedule(page)).toHaveText('m:64 n:64 k:64');
  expect(await measured(page)).toBeGreaterThan(0);
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
});
