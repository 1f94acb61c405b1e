// The command table in the page: the `?` list shows every command of the table with its keys, and
// a click on the agent's player never swallows the nest's keys: right after "take over here"
// Shift+↑ swaps and `s` asks for a split factor, with no click elsewhere first.
import type { Page } from '@playwright/test';
import { chordText, COMMANDS } from '../src/core/commands.ts';
import { expect, measuredGflops, test } from './fixtures';

const schedule = (page: Page) => page.getByTestId('schedule');
const nestLoops = (page: Page) => page.getByTestId('loop-nest').getByTestId('nest-loop');
const cursorIndex = async (page: Page) =>
  Number(await page.getByTestId('loop-nest').locator('[data-cursor="true"]').getAttribute('data-loop'));

test('the ? list shows every command of the table with its keys', async ({ page }) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await page.keyboard.press('?');
  const help = page.getByTestId('keys-help');
  await expect(help).toBeVisible();
  const listed = COMMANDS.filter((c) => c.keys.length > 0 || c.gesture);
  await expect(help.getByTestId('keys-row')).toHaveCount(listed.length);
  for (const c of listed) {
    const row = help.locator(`[data-testid="keys-row"][data-command="${c.id}"]`);
    await expect(row).toContainText(c.help);
    await expect(row.locator('kbd')).toHaveText([
      ...c.keys.map((k) => chordText(k)),
      ...(c.gesture ? [c.gesture] : []),
    ]);
  }
  await expect(help).toContainText('agent player (when it has the focus)');
  // The whole list fits a 1280x720 window: no scrolling to find a key.
  expect(page.viewportSize()).toEqual({ width: 1280, height: 720 });
  expect(await help.evaluate((el) => el.scrollHeight - el.clientHeight)).toBeLessThanOrEqual(1);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
});

test('after a click on the player, and at once after "take over here", the nest keys act', async ({ page }) => {
  await page.goto('/#preset=matmul-128');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await measuredGflops(page);
  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(panel.getByTestId('agent-play')).toBeVisible({ timeout: 30_000 });

  // A player button keeps the focus, yet the page's keys still act (here `?`, which leaves the history as it is).
  await panel.getByTestId('agent-step-back').click();
  await expect(panel.getByTestId('agent-step-back')).toBeFocused();
  await page.keyboard.press('?');
  await expect(page.getByTestId('keys-help')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('keys-help')).toHaveCount(0);
  // The timeline keeps its arrows, and only those: `s` acts on the nest from there too. It asks
  // for a split factor, or says why the loop under the cursor has no split (a loop of trip 2: a
  // split would leave an outer loop that runs once).
  await panel.getByTestId('agent-timeline').focus();
  await page.keyboard.press('s');
  const prompt = page.getByTestId('split-prompt');
  await expect(prompt.or(page.getByTestId('refusal').filter({ hasText: "can't split" }))).toBeVisible();
  if (await prompt.isVisible()) {
    await page.keyboard.press('Escape');
    await expect(prompt).toHaveCount(0);
  }

  await panel.getByTestId('agent-take-over').click();
  await expect(panel.getByTestId('agent-taken-over')).toBeVisible();
  const taken = (await schedule(page).textContent()) ?? '';
  // Straight on by keyboard: the cursor to the innermost loop, then Shift+↑ swaps it with the loop above.
  const n = await nestLoops(page).count();
  for (let i = await cursorIndex(page); i < n - 1; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => cursorIndex(page)).toBe(n - 1);
  const tokens = taken.split(' ');
  const [above, inner] = tokens.slice(-2);
  await page.keyboard.press('Shift+ArrowUp');
  if (above.split(':')[0] !== inner.split(':')[0]) {
    await expect(schedule(page)).toHaveText([...tokens.slice(0, -2), inner, above].join(' '));
    await expect.poll(() => cursorIndex(page)).toBe(n - 2);
  } else {
    await expect(page.getByTestId('refusal')).toContainText("can't swap");
  }
  // `s` acts too: a split prompt, or the reason the loop under the cursor has none (the agent's
  // steps depend on its measurements, so the loop there may run twice).
  const refusal = page.getByTestId('refusal').filter({ hasText: "can't split" });
  await expect(refusal).toHaveCount(0);
  await page.keyboard.press('s');
  await expect(prompt.or(refusal)).toBeVisible();
  if (await prompt.isVisible()) {
    await expect(page.getByTestId('split-input')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(prompt).toHaveCount(0);
  }
});
