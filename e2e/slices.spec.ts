// Large problems in the page: a kernel whose full run would take over 50 ms is timed on a slice of
// its outermost loop, and the figure says so; the whole kernel runs on request. A schedule with a
// packed input is typed like any other and measured correct.
import { expect, test } from './fixtures';

test('a large matmul is measured on a labelled slice at once; the whole kernel runs on request', async ({ page }) => {
  // matmul 1024^3's default schedule: about 7 s a run at 0.3 GFLOPS.
  await page.goto('/#preset=matmul-1024');
  await expect(page.getByTestId('schedule')).toHaveText('m:1024 n:1024 k:1024');
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-value', /^\d/, { timeout: 30_000 });
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
  const note = page.getByTestId('slice-figure');
  await expect(note).toContainText(/timed on \d+ of 1024 iterations of m \(a full run would take over 50 ms\)/);

  // A cache-blocked, packed schedule typed in the schedule line: checked and timed on its slice too.
  // Its 2x4 register tile (2 accumulator chains) keeps it far from the peak: a full run takes well
  // over 50 ms on any machine, so it is sliced whatever the load.
  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await input.fill('n:8 k:8 pack(B) m:512 pack(A) n:32 k:128 m:2 n:4');
  await input.press('Enter');
  await expect(page.getByTestId('schedule')).toHaveText('n:8 k:8 pack(B) m:512 pack(A) n:32 k:128 m:2 n:4');
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true', { timeout: 60_000 });
  // A panel of n, or (when one panel ran far over the slice's target, e.g. under load) some
  // iterations of k within the first panel: never all of them, which the panel says plainly.
  await expect(note).toContainText(
    /timed on (\d+ of 8 iterations of n \(n < \d+ of 1024\)|[1-7] of 8 iterations of k \(k < \d+ of 1024\), within the first iteration of the loops outside \(n < 128 of 1024\))/,
  );

  // The whole kernel: one click, its own figure beside the slice's.
  await page.getByTestId('measure-whole').click();
  await expect(page.getByTestId('whole-figure')).toContainText(/whole kernel: [\d.]+ GFLOPS/, { timeout: 60_000 });
});
