// Parallel loops in the page: `p` on matmul's outer loop runs it on the threads chosen in the
// performance panel (Web Workers sharing the kernel worker's memory), checked against the
// reference; `p` on the reduction loop is refused with the core's reason; the built page served
// without COOP/COEP says threads are off and measures on one thread.
import type { Page } from '@playwright/test';
import { builtPage, expect, measuredGflops, serveWithoutIsolation, test } from './fixtures';

const schedule = (page: Page) => page.getByTestId('schedule');
const cursorLoop = (page: Page) => page.getByTestId('loop-nest').locator('[data-cursor="true"]');

async function expectCheckedOn(page: Page, threads: number) {
  await measuredGflops(page);
  await expect(page.getByTestId('threads-figure')).toHaveAttribute('data-value', String(threads));
  await expect(page.getByTestId('threads-figure')).toHaveText(`on ${threads} thread${threads === 1 ? '' : 's'}`);
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
}

test('p runs the outer loop on the chosen threads, checked; p on the reduction is refused', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-128');
  await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await expectCheckedOn(page, 1);
  await page.getByTestId('threads-select').selectOption('2');

  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'm');
  await page.keyboard.press('p');
  await expect(schedule(page)).toHaveText('||m:128 n:128 k:128');
  await expectCheckedOn(page, 2);
  await expect(page.getByTestId('code-panel')).toContainText('#pragma omp parallel for');
  // The figure on 2 threads is held against the peak on 2 threads, measured once for it.
  await expect(page.getByTestId('peak-on-threads')).toHaveAttribute('data-value', /^\d+(\.\d+)?$/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('peak-on-threads')).toContainText(/^on 2 threads: [\d.]+ GFLOPS$/);
  await expect(page.getByTestId('percent-of-peak')).toContainText(/% of peak on 2 threads$/);
  await shot('parallel-on-2-threads');

  // Another thread count is another measurement.
  await page.getByTestId('threads-select').selectOption('3');
  await expectCheckedOn(page, 3);

  // The reduction loop: refused, in words.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'k');
  await page.keyboard.press('p');
  await expect(page.getByTestId('refusal')).toContainText('k is summed over');
  await expect(schedule(page)).toHaveText('||m:128 n:128 k:128');

  // The button does what the key does: the outer loop back to one thread.
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page
    .getByTestId('loop-nest-panel')
    .getByRole('button', { name: /^parallel/ })
    .click();
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
});

test.describe('without the service worker', () => {
  // A browser that refuses service workers (or a host where it can't register) leaves the page as
  // the host served it; offline.spec.ts shows the worker making such a page isolated.
  test.use({ serviceWorkers: 'block' });
  test('without cross-origin isolation the page says threads are off and measures on one thread', async ({ page }) => {
    const { server, url } = await serveWithoutIsolation(builtPage());
    try {
      await page.goto(`${url}/#preset=matmul-128`);
      await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'false');
      await expect(page.getByTestId('threads-off')).toContainText(
        'threads are off: the page is not cross-origin isolated (it is served without the COOP/COEP headers',
      );
      await expect(page.getByTestId('threads-select')).toHaveCount(0);
      await page.keyboard.press('p');
      await expect(schedule(page)).toHaveText('||m:128 n:128 k:128');
      await expectCheckedOn(page, 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

test('a runaway parallel kernel is stopped like a single one: its threads end with its worker', async ({ page }) => {
  const threadWorkers = () => page.workers().filter((w) => w.url().includes('kernelThread'));
  await page.goto('/?kernel-time-limit-ms=1000#preset=matmul-128');
  await page.getByTestId('threads-select').selectOption('2');
  await page.keyboard.press('p');
  await expectCheckedOn(page, 2);
  await expect.poll(() => threadWorkers().length).toBe(2);

  // On 1024^3 the page times a slice; the whole kernel takes far more than the 1 s limit.
  await page.getByTestId('preset-select').selectOption('matmul-1024');
  await expect(schedule(page)).toHaveText('m:1024 n:1024 k:1024');
  await page.keyboard.press('p');
  await expect(schedule(page)).toHaveText('||m:1024 n:1024 k:1024');
  await expect(page.getByTestId('slice-figure')).toContainText(/timed on \d+ of 1024 iterations of m/, {
    timeout: 60_000,
  });
  await expect.poll(() => threadWorkers().length).toBe(2);
  const before = threadWorkers();
  // The whole kernel runs in a worker of its own, on threads of its own.
  await page.getByTestId('measure-whole').click();
  await expect.poll(() => threadWorkers().length).toBeGreaterThan(2);
  await expect(page.getByTestId('whole-error')).toContainText(
    'the kernel ran longer than 1 s; the worker was restarted',
  );
  // The runaway's threads end with its worker; the page's kernel worker keeps its own.
  await expect.poll(() => threadWorkers().filter((w) => !before.includes(w)).length).toBe(0);
  expect(threadWorkers().filter((w) => before.includes(w))).toHaveLength(2);

  // The fresh worker starts new threads.
  await page.getByTestId('preset-select').selectOption('matmul-64');
  await page.keyboard.press('p');
  await expect(schedule(page)).toHaveText('||m:64 n:64 k:64');
  await expectCheckedOn(page, 2);
  await expect.poll(() => threadWorkers().length).toBe(2);
});

test('the parallel-loops lesson: the outer loop on 2 threads, its speedup, and a tail', async ({ page }) => {
  const task = (id: string) => page.getByTestId(`lesson-task-${id}`);
  await page.goto('/?lesson=parallel');
  await expect(page.getByTestId('lesson-title')).toHaveText('Parallel loops');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  await page.getByTestId('threads-select').selectOption('2');
  await measuredGflops(page);

  await page.keyboard.press('p');
  await expect(schedule(page)).toHaveText('||m:256 k:256 n:256');
  await expect(task('outer')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('lesson-task-detail-outer')).toHaveText(
    '||m:256: 256 iterations on 2 threads, correct',
  );
  // The speedup against the start, which is the same schedule on one thread (its figure is not
  // asserted: this machine's cores are shared, and when the page gets only one core it says so).
  await expect(page.getByTestId('lesson-task-detail-speedup')).toHaveText(
    /^\d+\.\d\d× on 2 threads, \d+% of the ideal 2×(; this machine gives the page only one core right now: .+)?$/,
  );

  await page.keyboard.press('s');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText('||m:85 r1 m:3 k:256 n:256');
  await expect(task('tail')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('lesson-task-detail-tail')).toHaveText(
    '||m:85 r1: 86 iterations (the last one the short tail) on 2 threads, at most 43 per thread',
  );
});
