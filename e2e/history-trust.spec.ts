// A history a person can trust: a problem change is one step (typing 512 over 256 key by key
// included) that undo takes back, to the problem before with its schedule and history; a typed
// schedule is one step too, never undone onto a schedule that was not on screen.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const schedule = (page: Page) => page.getByTestId('schedule');
const position = (page: Page) => page.getByTestId('history-position');
const sizes = (page: Page) => page.getByTestId('problem-sizes');

/** The page's link (the whole history, problem after problem, and where the page stands). */
const hash = (page: Page) => page.evaluate(() => window.location.hash);

/** The entries of the link's `a=`, decoded. */
async function linkEntries(page: Page): Promise<string[]> {
  const a = /[#&]a=([^&]*)/.exec(await hash(page))?.[1];
  return a ? a.split(',').map((e) => decodeURIComponent(e.replace(/\+/g, ' '))) : [];
}

/** Twelve steps on matmul 256 with the keys: moves, swaps and two splits. */
const KEYS = [
  'Shift+ArrowDown',
  'ArrowDown',
  'Shift+ArrowUp',
  'split 16',
  'ArrowUp',
  'split 8',
  'ArrowDown',
  'ArrowDown',
  'Shift+ArrowUp',
  'ArrowDown',
  'ArrowDown',
  'Shift+ArrowDown',
];

test('typing 512 over 256 in the problem editor is one step; undo returns to 256 with its schedule and history', async ({
  page,
}) => {
  await page.goto('/#preset=matmul-256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(page.getByTestId('history-problem')).toHaveCount(0);
  for (const [i, key] of KEYS.entries()) {
    const split = /^split (\d+)$/.exec(key);
    if (split) {
      await page.keyboard.press('s');
      await expect(page.getByTestId('split-input')).toBeFocused();
      await page.keyboard.type(split[1]);
      await page.keyboard.press('Enter');
    } else await page.keyboard.press(key);
    await expect(position(page)).toHaveText(`step ${i + 1} of ${i + 1}`);
  }
  const built = 'n:32 k:16 n:8 m:256 k:16';
  await expect(schedule(page)).toHaveText(built);
  await expect.poll(() => linkEntries(page)).toHaveLength(12);
  const before = await hash(page);

  // Select the 256 of m and type 512 over it at a person's pace.
  await page.getByTestId('dsl-input').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
  for (const key of '512') {
    await page.keyboard.type(key);
    // Half-typed sizes (m=5, m=51) are not applied, so no kernel is made for them.
    await expect(sizes(page)).toContainText('m=256');
    await page.waitForTimeout(250);
  }
  await expect(sizes(page)).toContainText('m=512', { timeout: 10_000 });
  await expect(position(page)).toHaveText('step 0 of 0');
  await expect(page.getByTestId('history-problem')).toHaveText('problem 2 of 2');
  await expect(schedule(page)).toHaveText('m:512 n:256 k:256');

  // One new step: the problem change, after the twelve of 256.
  await expect.poll(() => linkEntries(page)).toHaveLength(13);
  const entries = await linkEntries(page);
  expect(entries.filter((e) => e.startsWith('problem:'))).toEqual([
    'problem:C[m,n] += A[m,k] * B[k,n]\nm=512, n=256, k=256',
  ]);

  // Leave the editor; one undo is back on 256 with everything it had.
  await page.keyboard.press('Escape');
  await page.keyboard.press('u');
  await expect(sizes(page)).toContainText('m=256');
  await expect(schedule(page)).toHaveText(built);
  await expect(position(page)).toHaveText('step 12 of 12');
  await expect(page.getByTestId('history-problem')).toHaveText('problem 1 of 2');
  await expect(page.getByTestId('dsl-input')).toContainText('m=256, n=256, k=256');
  // The link holds the same history, now with the problem change to redo.
  await expect.poll(() => hash(page)).toMatch(/,problem:[^,&]*m=512[^,&]*&at=12$/);
  expect((await hash(page)).startsWith(`${before},`)).toBe(true);
  // The history of 256 is intact: undo walks it back step by step.
  await page.keyboard.press('u');
  await expect(position(page)).toHaveText('step 11 of 12');
  // And redo goes forward again, through 256's steps to the problem change.
  await page.keyboard.press('U');
  await page.keyboard.press('U');
  await expect(sizes(page)).toContainText('m=512');
  await expect(schedule(page)).toHaveText('m:512 n:256 k:256');
});

test('a typed schedule is one step: undo returns to the schedule before it, never to one between', async ({ page }) => {
  await page.goto('/#preset=matmul-256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  const typeSchedule = async (text: string) => {
    await page.getByTestId('schedule-edit').click();
    const input = page.getByTestId('schedule-input');
    await input.fill('');
    await input.pressSequentially(text);
    await page.keyboard.press('Enter');
    await expect(input).toHaveCount(0);
  };
  await typeSchedule('k m n k:32 m:2 n:16');
  await expect(schedule(page)).toHaveText('k:8 m:128 n:16 k:32 m:2 n:16');
  const first = (await position(page).textContent()) ?? '';
  expect(Number(/^step (\d+) of/.exec(first)?.[1])).toBeGreaterThan(1);
  await typeSchedule('m n k m:4 n:8');
  await expect(schedule(page)).toHaveText('m:64 n:32 k:256 m:4 n:8');

  await page.keyboard.press('u');
  await expect(schedule(page)).toHaveText('k:8 m:128 n:16 k:32 m:2 n:16');
  await expect(position(page)).toHaveText(new RegExp(`^${first.split(' of ')[0]} of \\d+$`));
  await page.keyboard.press('u');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(position(page)).toHaveText(/^step 0 of \d+$/);
  await page.keyboard.press('U');
  await expect(schedule(page)).toHaveText('k:8 m:128 n:16 k:32 m:2 n:16');
});
