// Bugs found trying the page as its users would, each reproduced in the browser: the problem
// editor's Ctrl+Enter, the split dialog inside the viewport, a link cut short.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const schedule = (page: Page) => page.getByTestId('schedule');

test('Ctrl+Enter in the problem editor applies the text at once and adds no line', async ({ page }) => {
  await page.goto('/');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  const editor = page.getByTestId('dsl-input');
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('C[m,n] += A[m,k] * B[k,n]\nm=96, n=64, k=32');
  await page.keyboard.press('Control+Enter');
  // Applied before the pause-in-typing timer (1.5 s) could have done it.
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=96, n=64, k=32', { timeout: 600 });
  await expect(schedule(page)).toHaveText('m:96 n:64 k:32');
  await expect(page.locator('.dsl-editor .cm-line')).toHaveCount(2);
  await expect(page.locator('.dsl-editor .cm-line').nth(1)).toHaveText('m=96, n=64, k=32');
});

/** Every quick factor of the open split dialog is inside the viewport and is what a click there hits. */
async function expectFactorsReachable(page: Page) {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error('no viewport');
  for (const factor of [2, 4, 8, 16, 32]) {
    const button = page.getByTestId(`split-factor-${factor}`);
    const box = await button.boundingBox();
    expect(box, `split-factor-${factor} has a box`).not.toBeNull();
    if (!box) return;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    // The top element at the button's centre and near its corners is the button itself.
    const hits = await button.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const points = [
        [r.left + r.width / 2, r.top + r.height / 2],
        [r.left + 2, r.top + 2],
        [r.right - 2, r.bottom - 2],
      ];
      return points.map(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit === el || el.contains(hit);
      });
    });
    expect(hits, `split-factor-${factor} is not covered or clipped`).toEqual([true, true, true]);
  }
}

for (const size of [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
]) {
  test(`the split dialog is whole on the innermost and a middle loop at ${size.width}x${size.height}`, async ({
    page,
  }) => {
    await page.setViewportSize(size);
    await page.goto('/#preset=conv-3x3');
    await expect(schedule(page)).toHaveText('co:64 oh:28 ow:28 ci:64 kh:3 kw:3');
    const nest = page.getByTestId('loop-nest');
    // The innermost loop (kw:3), then a middle one (ow:28).
    await nest.getByTestId('nest-loop').last().click();
    await page.keyboard.press('s');
    await expect(page.getByTestId('split-prompt')).toBeVisible();
    await expectFactorsReachable(page);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('split-prompt')).toHaveCount(0);
    await nest.getByTestId('nest-loop').nth(2).click();
    await page.keyboard.press('s');
    await expectFactorsReachable(page);
    // The dialog still works: a click on 4 splits ow:28.
    await page.getByTestId('split-factor-4').click();
    await expect(schedule(page)).toHaveText('co:64 oh:28 ow:7 ow:4 ci:64 kh:3 kw:3');
  });
}

test('a link cut short keeps its problem and the actions before the cut, and says so', async ({ page }) => {
  await page.goto('/#preset=matmul-512&a=down,split_16,up,spl');
  await expect(schedule(page)).toHaveText('m:512 n:32 n:16 k:512');
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=512, n=512, k=512');
  await expect(page.getByTestId('notice')).toContainText(
    "the link's action 4 'spl' is not an action (was the link cut short?); kept the problem and the 3 actions before it",
  );
  // The person's link stays in the address bar until they act (they may want to mend it by hand).
  expect(await page.evaluate(() => location.hash)).toBe('#preset=matmul-512&a=down,split_16,up,spl');
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => page.evaluate(() => location.hash)).toBe('#preset=matmul-512&a=down,split_16,up,down');
});

test('a hash with no state of ours says it is ignored', async ({ page }) => {
  await page.goto('/#hello-world');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await expect(page.getByTestId('notice')).toContainText("the link's '#hello-world' holds no playground state");
});

test('error notices stack in one place with a limit and never cover the compare panel', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#preset=matmul-64&panels=problem,nest,perf,compare');
  await expect(page.getByTestId('compare-panel')).toBeVisible();
  for (const id of ['nope-1', 'nope-2', 'nope-3', 'nope-4', 'nope-5']) {
    await page.evaluate((hash) => {
      location.hash = hash;
    }, `#preset=${id}`);
    await expect(page.getByTestId('notice').first()).toContainText(`the link's preset '${id}' is not a preset`);
  }
  await expect(page.getByTestId('notice')).toHaveCount(3);
  await expect(page.getByTestId('notices-older')).toHaveText('2 older');
  // Nothing lies over the compare panel: the top element at points across it is inside it.
  const compare = page.getByTestId('compare-panel');
  await compare.scrollIntoViewIfNeeded();
  const covered = await compare.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const out: string[] = [];
    for (const fx of [0.05, 0.5, 0.95])
      for (const fy of [0.05, 0.5, 0.95]) {
        const y = Math.min(r.top + fy * r.height, window.innerHeight - 1);
        const hit = document.elementFromPoint(r.left + fx * r.width, y);
        if (hit && !el.contains(hit)) out.push(`${fx},${fy}: ${hit.className || hit.tagName}`);
      }
    return out;
  });
  expect(covered).toEqual([]);
  const notices = await page.getByTestId('notices').boundingBox();
  const panel = await compare.boundingBox();
  if (!notices || !panel) throw new Error('no boxes');
  const overlap = !(
    notices.y + notices.height <= panel.y ||
    panel.y + panel.height <= notices.y ||
    notices.x + notices.width <= panel.x ||
    panel.x + panel.width <= notices.x
  );
  expect(overlap).toBe(false);
  await page.getByTestId('notices-older').click();
  await expect(page.getByTestId('notice')).toHaveCount(5);
  await page.getByTestId('notices-dismiss-all').click();
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('schedule text exported as a file imports back, on another problem too', async ({ page }) => {
  await page.goto('/#preset=matmul-64&a=split_2');
  await page.getByTestId('export-format').selectOption('text');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  const file = await download;
  const path = await file.path();
  if (!path) throw new Error('no download');
  await page.goto('/#preset=matmul-128');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await page.getByTestId('import-file').setInputFiles(path);
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(schedule(page)).toHaveText('m:32 m:2 n:64 k:64');
  await expect(page.getByTestId('problem-sizes')).toHaveText('m=64, n=64, k=64');
  // Pasted schedule text is for the problem on screen; a bad one is "the pasted text", not "the file".
  await page.getByTestId('import-text').fill('n:16 m n:4 k');
  await page.getByTestId('import-apply').click();
  await expect(schedule(page)).toHaveText('n:16 m:64 n:4 k:64');
  await page.getByTestId('import-text').fill('q:4 m n k');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-error')).toContainText(
    "the pasted text is neither a JSON export nor schedule text for the current problem: 'q:4 m n k'",
  );
  await expect(page.getByTestId('import-error')).not.toContainText('the file');
});

test('the thread count chosen goes into the link and comes back from it; an absurd one says so', async ({ page }) => {
  await page.goto('/#preset=matmul-64&a=parallel');
  await expect(schedule(page)).toHaveText('||m:64 n:64 k:64');
  const select = page.getByTestId('threads-select');
  await select.selectOption('3');
  await expect.poll(() => page.evaluate(() => location.hash)).toBe('#preset=matmul-64&a=parallel&threads=3');
  await page.reload();
  await expect(select).toHaveValue('3');
  await expect(page.getByTestId('threads-figure')).toHaveAttribute('data-value', '3');
  // Hand-edited: 999 threads.
  await page.evaluate(() => {
    location.hash = '#preset=matmul-64&a=parallel&threads=999';
  });
  await expect(page.getByTestId('notice').first()).toContainText(
    "the link's thread count 999 is not a whole number from 1 to 64; parallel loops run on one thread per processor instead",
  );
  await expect(select).toHaveValue('');
  await expect(schedule(page)).toHaveText('||m:64 n:64 k:64');
});

test('the decisions tab of the conv 3x3 default (innermost kw:3) says scalar code, as the wasm has it', async ({
  page,
}) => {
  await page.goto('/#preset=conv-3x3');
  await expect(schedule(page)).toHaveText('co:64 oh:28 ow:28 ci:64 kh:3 kw:3');
  const code = page.getByTestId('code-panel');
  await code.getByTestId('code-tab-wasm').click();
  const counts = code.getByTestId('code-wasm-counts');
  await expect(counts).toContainText('f32.load');
  await expect(counts).not.toContainText('v128.load');
  await code.getByTestId('code-tab-report').click();
  await expect(code.getByTestId('code-report-vectorized')).toContainText(
    'no: the innermost loop kw covers 3 values, fewer than the 4 lanes of an f32x4',
  );
  await expect(code.getByTestId('code-report-access')).toHaveCount(0);
  await expect(code.getByTestId('code-report')).not.toContainText('v128 load');
  await expect(code.getByTestId('code-report-fma')).toContainText('f32.mul + f32.add (scalar code)');
});
