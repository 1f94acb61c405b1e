// Every lesson done by keyboard as its walk-through says, at 1024x768 and 1280x720, normal and
// present: the test reads each step's keys and schedule from the page (what the learner reads),
// presses exactly those keys, and waits for the tasks the step ticks. A step that cannot be
// followed as written (a refused key, another schedule) fails here.
import type { Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures.ts';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
];
// The lessons driven by the loop-nest keys (the agent lesson, driven by its buttons, is at the end).
const LESSONS = ['loop-order', 'tiling', 'conflicts', 'packing', 'vectorize', 'register-tile', 'tails', 'parallel'];

/** A shown key as Playwright presses it: glyphs for the arrows and Backspace, else the key itself. */
const PRESS: Record<string, string> = {
  '↑': 'ArrowUp',
  '↓': 'ArrowDown',
  '⇧↑': 'Shift+ArrowUp',
  '⇧↓': 'Shift+ArrowDown',
  '⌫': 'Backspace',
};

async function pressShown(page: Page, key: string) {
  if (PRESS[key]) await page.keyboard.press(PRESS[key]);
  else if (/^\d+$/.test(key)) await page.keyboard.type(key);
  else await page.keyboard.press(key);
}

/**
 * Waits until the task is done. A task that compares speeds (`data-speed`) may fall short on a busy
 * machine (these run on two cores shared by several test runs): it must then reach a decision
 * on refined figures, a reading of both (or, for threads, that the page gets one core), after the
 * learner asked for a longer measurement (b) as the performance panel suggests.
 */
async function waitDone(page: Page, id: string): Promise<'done' | 'short'> {
  const task = page.getByTestId(`lesson-task-${id}`);
  if ((await task.getAttribute('data-speed')) !== 'true') {
    await expect(task, `task ${id}`).toHaveAttribute('data-done', 'true');
    return 'done';
  }
  const decided = async () =>
    (await task.getAttribute('data-done')) === 'true' || (await task.getAttribute('data-live')) === 'todo';
  await expect.poll(decided, { timeout: 60_000 }).toBe(true);
  if ((await task.getAttribute('data-done')) === 'true') return 'done';
  await page.keyboard.press('b');
  await expect(page.getByTestId('long-run-badge')).toBeVisible({ timeout: 60_000 });
  await expect.poll(decided, { timeout: 60_000 }).toBe(true);
  if ((await task.getAttribute('data-done')) === 'true') return 'done';
  await expect(page.getByTestId(`lesson-task-detail-${id}`), `task ${id}: a reading of the figures`).toHaveText(
    /[\d.]+ GFLOPS|× on \d+ threads|only one core right now/,
  );
  test.info().annotations.push({
    type: 'short of speed',
    description: `${id}: ${await page.getByTestId(`lesson-task-detail-${id}`).textContent()}`,
  });
  return 'short';
}

for (const size of SIZES) {
  for (const present of [false, true]) {
    for (const id of LESSONS) {
      test(`${id} by keyboard, following its steps as shown, at ${size.width}x${size.height}${present ? ', present' : ''}`, async ({
        page,
      }) => {
        await page.setViewportSize(size);
        await page.goto(`/?lesson=${id}${present ? '&present=1' : ''}`);
        await expect(page.getByTestId('lesson')).toHaveAttribute('data-lesson', id);
        await measuredGflops(page);
        const total = await page.getByTestId('lesson').locator('.lesson-tasks > li').count();

        // Open the walk-through and read it as shown.
        await page.getByTestId('lesson-steps').locator('summary').click();
        const steps = page.getByTestId('lesson-step');
        await expect(steps.first()).toBeVisible();
        const shown = await steps.evaluateAll((lis) =>
          lis.map((li) => ({
            keys: [...li.querySelectorAll('[data-testid="lesson-step-keys"] kbd')].map((k) => k.textContent ?? ''),
            schedule: li.querySelector('[data-testid="lesson-step-schedule"]')?.textContent ?? '',
            ticks: (li.getAttribute('data-ticks') ?? '').split(' ').filter(Boolean),
          })),
        );
        // The keys go to the page, not to the summary just clicked.
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

        const short: string[] = [];
        for (const [i, step] of shown.entries()) {
          for (const key of step.keys) await pressShown(page, key);
          await expect(page.getByTestId('refusal'), `step ${i + 1}`).toHaveCount(0);
          await expect(page.getByTestId('schedule'), `step ${i + 1}`).toHaveText(step.schedule);
          await measuredGflops(page);
          for (const t of step.ticks) if ((await waitDone(page, t)) === 'short') short.push(t);
        }
        await expect(page.getByTestId('lesson-count')).toHaveText(`${total - short.length} of ${total} done`);
      });
    }
  }
}

/** Moves the focus with Tab, as a keyboard user does, to the element with `testId`. */
async function tabTo(page: Page, testId: string) {
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
  for (let i = 0; i < 300 && (await focused()) !== testId; i++) await page.keyboard.press('Tab');
  expect(await focused(), `Tab reaches ${testId}`).toBe(testId);
}

// The agent lesson is driven by its buttons: reached with Tab and pressed with Enter.
for (const size of SIZES) {
  for (const present of [false, true]) {
    test(`agent by keyboard (Tab to its buttons, Enter) at ${size.width}x${size.height}${present ? ', present' : ''}`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await page.goto(`/?lesson=agent${present ? '&present=1' : ''}`);
      await expect(page.getByTestId('lesson')).toHaveAttribute('data-lesson', 'agent');
      await tabTo(page, 'lesson-run-agent');
      await page.keyboard.press('Enter');
      const step = page.getByTestId('lesson-predict-step');
      await expect(step).toHaveText(/^step 0 of \d+$/, { timeout: 90_000 });
      const total = Number(/of (\d+)/.exec((await step.textContent()) ?? '')?.[1]);
      for (let i = 0; i < total; i++) {
        await tabTo(page, 'lesson-predict-down');
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('lesson-predict-score')).toHaveAttribute('data-made', String(i + 1));
      }
      const task = (id: string) => page.getByTestId(`lesson-task-${id}`);
      for (const id of ['run', 'predict-5', 'to-the-end'])
        await expect(task(id), id).toHaveAttribute('data-done', 'true');
      const right = Number(await page.getByTestId('lesson-predict-score').getAttribute('data-right'));
      await expect(task('right-3')).toHaveAttribute('data-done', right >= 3 ? 'true' : 'false');
    });
  }
}
