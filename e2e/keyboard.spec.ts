// The loop-nest keyboard on matmul 256^3: move, swap, split (with the factor prompt), merge,
// undo, redo change the loop nest, the graph and the measured GFLOPS; refused keys and disabled
// buttons say why; `?` lists the keys; the problem editor keeps its keys to itself.
import type { Locator, Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures';

const nest = (page: Page) => page.getByTestId('loop-nest');
const schedule = (page: Page) => page.getByTestId('schedule');
const cursorLoop = (page: Page) => nest(page).locator('[data-cursor="true"]');
const refusal = (page: Page) => page.getByTestId('refusal');

/** The loops' variables as the nest shows them, outermost first. */
async function loopVariables(page: Page): Promise<string[]> {
  return nest(page)
    .getByTestId('nest-loop')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-variable') ?? ''));
}

/** The graph's loop nodes, outermost first. */
async function graphLoops(page: Page): Promise<string[]> {
  return page
    .getByTestId('graph-panel')
    .getByTestId('graph-loop')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-loop-text') ?? ''));
}

/** The graph shows the nest's loops in the nest's order, with the cursor on the same loop. */
async function expectGraphFollows(page: Page, loops: string[], cursor: number) {
  await expect.poll(() => graphLoops(page)).toEqual(loops);
  const cursorNode = page.getByTestId('graph-panel').locator('[data-testid="graph-loop"][data-cursor="true"]');
  await expect(cursorNode).toHaveAttribute('data-loop-text', loops[cursor]);
}

async function press(page: Page, key: string) {
  await page.keyboard.press(key);
}

async function expectTip(button: Locator, reason: string | RegExp) {
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(button).toHaveAttribute('title', reason);
  await button.focus();
  await expect(button.locator('xpath=..').getByRole('tooltip')).toBeVisible();
  await expect(button.locator('xpath=..').getByRole('tooltip')).toHaveText(reason);
}

test('the keyboard flow changes the loop nest, the graph and the GFLOPS; refusals say why', async ({ page, shot }) => {
  await page.goto('/');
  await expect(page.getByTestId('problem-op')).toHaveText('C[m,n] += A[m,k] * B[k,n]');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'm');
  const g0 = await measuredGflops(page);
  await expectGraphFollows(page, ['m:256', 'n:256', 'k:256'], 0);

  // Up at the top: refused, with the core's reason under the nest; the button says it too.
  await expect(page.getByTestId('refusal')).toHaveCount(0);
  await press(page, 'ArrowUp');
  await expect(refusal(page)).toHaveText('the cursor is already on the outermost loop');
  await expectTip(page.getByTestId('nest-btn-up'), 'the cursor is already on the outermost loop');
  await expectTip(page.getByTestId('nest-btn-undo'), 'nothing to undo: this is the start of the history');
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  // Move: the cursor goes down, the refusal goes away.
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'n');
  await expect(refusal(page)).toHaveCount(0);
  await expectGraphFollows(page, ['m:256', 'n:256', 'k:256'], 1);

  // Swap: n goes below k; a new kernel is measured.
  await press(page, 'Shift+ArrowDown');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  expect(await loopVariables(page)).toEqual(['m', 'k', 'n']);
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'n');
  await expectGraphFollows(page, ['m:256', 'k:256', 'n:256'], 2);
  const g1 = await measuredGflops(page);
  expect(g1).not.toBe(g0);

  // Split with the factor prompt: type the factor, Enter.
  await press(page, 's');
  const prompt = page.getByTestId('split-prompt');
  await expect(prompt).toBeVisible();
  await expect(page.getByTestId('split-input')).toBeFocused();
  await shot('keyboard-split-prompt', page.getByTestId('loop-nest-panel'));
  await page.keyboard.type('8');
  await press(page, 'Enter');
  await expect(prompt).toHaveCount(0);
  await expect(schedule(page)).toHaveText('m:256 k:256 n:32 n:8');
  await expect(nest(page)).toContainText('for n in 0..256 step 8:');
  await expect(nest(page)).toContainText('for n in 0..8:');
  await expectGraphFollows(page, ['m:256', 'k:256', 'n:32', 'n:8'], 2);
  const g2 = await measuredGflops(page);
  expect(g2).not.toBe(g1);

  // A refused split: n:8 only runs 8 times. The quick menu says so; typing 16 is refused.
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toContainText('for n in 0..8:');
  await press(page, 's');
  await expect(page.getByTestId('split-factor-16')).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByTestId('split-factor-16')).toHaveAttribute(
    'title',
    "can't split n:8 by 16: the loop only runs 8 times",
  );
  await page.keyboard.type('16');
  await press(page, 'Enter');
  await expect(refusal(page)).toHaveText("can't split n:8 by 16: the loop only runs 8 times");
  await expect(schedule(page)).toHaveText('m:256 k:256 n:32 n:8');
  // Escape closes the prompt without splitting.
  await press(page, 's');
  await expect(page.getByTestId('split-prompt')).toBeVisible();
  await press(page, 'Escape');
  await expect(page.getByTestId('split-prompt')).toHaveCount(0);
  await expect(schedule(page)).toHaveText('m:256 k:256 n:32 n:8');

  // Merge: n:8 back into its enclosing n loop; the cached measurement of that schedule returns.
  await press(page, 'Backspace');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  await expectGraphFollows(page, ['m:256', 'k:256', 'n:256'], 2);
  expect(await measuredGflops(page)).toBe(g1);

  // Undo (u and Ctrl+Z) and redo (Ctrl+Shift+Z and Ctrl+Y).
  await press(page, 'u');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:32 n:8');
  await expect(cursorLoop(page)).toContainText('for n in 0..8:');
  await expectGraphFollows(page, ['m:256', 'k:256', 'n:32', 'n:8'], 3);
  expect(await measuredGflops(page)).toBe(g2);
  // Undo steps over cursor moves: back over the move to n:8 and the split, to where the split was asked.
  await press(page, 'Control+z');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  await expect(cursorLoop(page)).toContainText('for n in 0..256:');
  await expectGraphFollows(page, ['m:256', 'k:256', 'n:256'], 2);
  await press(page, 'Control+Shift+Z');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:32 n:8');
  await expect(cursorLoop(page)).toContainText('for n in 0..8:');
  await press(page, 'Control+y');
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  await press(page, 'Control+y');
  await expect(refusal(page)).toHaveText('nothing to redo: this is the latest step of the history');
  expect(await measuredGflops(page)).toBe(g1);

  // Clicking a loop moves the cursor there with recorded steps.
  await nest(page).getByTestId('nest-loop').first().click();
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'm');
  await expect(page.getByTestId('history-position')).toHaveText(/^step \d+ of \d+$/);

  // The buttons do the same as the keys.
  await page.getByTestId('nest-btn-swap_down').click();
  await expect(schedule(page)).toHaveText('k:256 m:256 n:256');
  await page.getByTestId('nest-btn-undo').click();
  await expect(schedule(page)).toHaveText('m:256 k:256 n:256');
  await page.getByTestId('nest-btn-split').click();
  await page.getByTestId('split-factor-4').click();
  await expect(schedule(page)).toHaveText('m:64 m:4 k:256 n:256');

  await shot('keyboard-loop-nest', page.getByTestId('loop-nest-panel'));
  await shot('keyboard-page');
});

test('? lists every key; Escape closes it', async ({ page, shot }) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await press(page, '?');
  const help = page.getByTestId('keys-help');
  await expect(help).toBeVisible();
  for (const key of [
    '↑',
    '↓',
    'Shift+↑',
    'Shift+↓',
    's',
    'Backspace',
    'u',
    'Ctrl+Z',
    'Ctrl+Shift+Z',
    'Ctrl+Y',
    '?',
    'Escape',
  ]) {
    await expect(help.locator('kbd', { hasText: key }).first()).toBeVisible();
  }
  // The overlay is modal: the nest keys wait until it closes.
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'm');
  await shot('keyboard-keys-overlay');
  await press(page, 'Escape');
  await expect(help).toHaveCount(0);
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'n');
  // The header button opens it too.
  await page.getByTestId('keys-button').click();
  await expect(help).toBeVisible();
  await page.getByTestId('keys-close').click();
  await expect(help).toHaveCount(0);
});

test('the problem editor: typing stays in the editor, errors show at their place, a new problem resets the nest', async ({
  page,
  shot,
}) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await press(page, 'ArrowDown');
  await press(page, 's');
  await press(page, 'Enter');
  await expect(schedule(page)).toHaveText('m:256 n:64 n:4 k:256');

  // Typing in the editor (arrows, s, Backspace, u) never reaches the loop-nest keys.
  const editor = page.getByTestId('dsl-input');
  await editor.click();
  await press(page, 'Control+End');
  for (const key of ['ArrowUp', 'ArrowDown', 'Backspace', 'u', 's']) await press(page, key);
  await expect(schedule(page)).toHaveText('m:256 n:64 n:4 k:256');
  // The text is now `... k=25us`: an error, shown at its line and column, the nest kept.
  await expect(page.getByTestId('problem-error')).toContainText(/^line 2, col \d+: /, { timeout: 5_000 });
  await expect(page.locator('.dsl-editor .cm-lintRange-error')).toHaveCount(1);
  await expect(schedule(page)).toHaveText('m:256 n:64 n:4 k:256');
  await shot('keyboard-problem-error', page.getByTestId('problem-panel'));

  // Fix it with a new size and Ctrl+Enter: the problem changes and the nest resets.
  await press(page, 'Control+a');
  await page.keyboard.type('C[m,n] += A[m,k] * B[k,n]\nm=97, n=64, k=32');
  await press(page, 'Control+Enter');
  await expect(page.getByTestId('problem-error')).toHaveCount(0);
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=97, n=64, k=32');
  await expect(schedule(page)).toHaveText('m:97 n:64 k:32');
  // Escape leaves the editor; the keys work again. A split with a tail shows it.
  await press(page, 'Escape');
  await press(page, 's');
  await page.keyboard.type('4');
  await press(page, 'Enter');
  await expect(schedule(page)).toHaveText('m:24 r1 m:4 n:64 k:32');
  await expect(nest(page)).toContainText('for m in 0..97 step 4:  # tail 1');

  // A preset replaces the text and the problem; the variables have their colours.
  await page.getByTestId('preset-select').selectOption('conv-3x3');
  await expect(page.getByTestId('problem-op')).toHaveText('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]');
  await expect(editor).toContainText('co=64, ci=64, oh=28, ow=28, kh=3, kw=3');
  await expect(schedule(page)).toHaveText('co:64 oh:28 ow:28 ci:64 kh:3 kw:3');
  const colors = await nest(page)
    .locator('.nest-loop .var')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
  expect(new Set(colors).size).toBe(6);
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'oh');
  await shot('keyboard-problem-panel', page.getByTestId('problem-panel'));
});

test('a problem over the memory cap is refused with the cap in the message; the page keeps the last problem', async ({
  page,
  shot,
}) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  const before = await measuredGflops(page);
  expect(before).toBeGreaterThan(0);

  const editor = page.getByTestId('dsl-input');
  await editor.click();
  await press(page, 'Control+a');
  await page.keyboard.type('C[m,n] += A[m,k] * B[k,n]\nm=16384, n=16384, k=16384');
  await press(page, 'Control+Enter');
  await expect(page.getByTestId('problem-error')).toContainText('over the 512 MiB cap; use smaller sizes');
  await expect(page.getByTestId('problem-error')).toContainText('3.0 GiB');
  // Nothing else changed: same problem, same nest, its measurement still on screen.
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=256, n=256, k=256');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(page.getByTestId('gflops')).toHaveAttribute('data-value', String(before));
  await shot('keyboard-memory-cap', page.getByTestId('problem-panel'));

  // The nest keys still work after leaving the editor.
  await press(page, 'Escape');
  await press(page, 'ArrowDown');
  await expect(cursorLoop(page)).toHaveAttribute('data-variable', 'n');
});
