// Typing a schedule on the loop-nest panel's schedule line: Enter applies it (the nest and the
// GFLOPS follow, undo goes back), a typo is marked in place with the parser's message, Escape
// cancels, and the page's keys stay off while typing.
import type { Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures.ts';

const schedule = (page: Page) => page.getByTestId('schedule');
const position = (page: Page) => page.getByTestId('history-position');
const cursorVariable = (page: Page) =>
  page.getByTestId('loop-nest').locator('[data-cursor="true"]').getAttribute('data-variable');

test('a typed schedule applies on Enter: the nest and the figure follow, and undo returns', async ({ page }) => {
  await page.goto('/#preset=matmul-256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  const start = await measuredGflops(page);

  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('m:256 n:256 k:256');
  await input.fill('');
  await input.pressSequentially('k m n k:32 m:2 n:16');
  await page.keyboard.press('Enter');

  await expect(schedule(page)).toHaveText('k:8 m:128 n:16 k:32 m:2 n:16');
  await expect(page.getByTestId('nest-loop')).toHaveCount(6);
  expect(await page.getByTestId('nest-loop').evaluateAll((els) => els.map((e) => e.dataset.variable))).toEqual([
    'k',
    'm',
    'n',
    'k',
    'm',
    'n',
  ]);
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-schedule', 'k:8 m:128 n:16 k:32 m:2 n:16');
  const tiled = await measuredGflops(page);
  expect(tiled).toBeGreaterThan(0);
  const steps = Number(/^step (\d+) of \d+$/.exec((await position(page).textContent()) ?? '')?.[1]);
  expect(steps).toBeGreaterThan(0);
  // The explanation covers the whole change, from the schedule typed over to the typed one.
  await expect(page.getByTestId('explain-action')).toContainText(
    steps === 1 ? 'after set:k:8 m:128 n:16 k:32 m:2 n:16' : `(steps 1 to ${steps} of ${steps})`,
  );
  await expect(page.getByTestId('explain-sentence').first()).toContainText('innermost loop is now n:16 (was k:256)');

  // Back on the line, the page's keys work: undo until the start, where the cached figure returns.
  for (let i = 0; i < steps && (await position(page).textContent())?.startsWith('step 0') !== true; i++) {
    await page.keyboard.press('u');
  }
  await expect(position(page)).toHaveText(`step 0 of ${steps}`);
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  expect(await measuredGflops(page)).toBe(start);
  // And redo goes forward to the typed schedule again.
  await page.keyboard.press('Control+y');
  await expect(position(page)).not.toHaveText(`step 0 of ${steps}`);
});

test('a typo is marked in place with what is wrong and how to fix it; Escape cancels; keys stay off while typing', async ({
  page,
}) => {
  await page.goto('/#preset=matmul-256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await input.fill('');

  // The page's keys (s split, p parallel, ? help, Backspace merge, arrows, u undo) type or edit text here.
  await input.pressSequentially('sp?u');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Backspace');
  await expect(input).toHaveValue('sp?');
  await expect(page.getByTestId('split-prompt')).toHaveCount(0);
  await expect(page.getByTestId('keys-help')).toHaveCount(0);
  await expect(position(page)).toHaveText('step 0 of 0');
  expect(await cursorVariable(page)).toBe('m');

  await input.fill('k m q');
  await page.keyboard.press('Enter');
  const error = page.getByTestId('schedule-error');
  await expect(error).toContainText("col 5: unknown variable 'q'; the variables are m, n, k");
  await expect(page.getByTestId('schedule-error-at')).toHaveText('q');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(position(page)).toHaveText('step 0 of 0');

  // Fixing the text clears the mark as soon as it reads; Escape still cancels.
  await page.keyboard.press('Backspace');
  await input.pressSequentially('n');
  await expect(error).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(input).toHaveCount(0);
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(position(page)).toHaveText('step 0 of 0');
});

test("a typed schedule may not do what a teacher's link hides: it is refused in place with the reason", async ({
  page,
}) => {
  await page.goto('/?hideActions=split#preset=matmul-256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await page.getByTestId('schedule-edit').click();
  const input = page.getByTestId('schedule-input');
  await input.fill('m n k k:4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('schedule-error')).toContainText(
    'this lesson hides split; type another schedule, or press Esc to keep the current one',
  );
  await expect(position(page)).toHaveText('step 0 of 0');
  // An order the remaining actions reach is applied.
  await input.fill('m k n');
  await page.keyboard.press('Enter');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
});
