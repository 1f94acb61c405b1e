// The handout as a worksheet: a question with blanks to predict in for every task, beside what the
// session measured, and printable on A4 and Letter without content cut at the page's edge.
import type { Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures.ts';

// The printable width of each paper with the print stylesheet's 15 mm margins, in CSS pixels (96 per inch).
const MM = 96 / 25.4;
const PAPERS = [
  { name: 'A4', width: Math.floor((210 - 30) * MM), height: Math.floor((297 - 30) * MM) },
  { name: 'Letter', width: Math.floor((215.9 - 30) * MM), height: Math.floor((279.4 - 30) * MM) },
];

/** Elements of the handout that stick out of it, or scroll, and whether the document scrolls sideways. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const handout = document.querySelector('[data-testid="handout"]')!;
    const box = handout.getBoundingClientRect();
    const cut: string[] = [];
    for (const el of handout.querySelectorAll<HTMLElement>('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || el.scrollWidth > el.clientWidth + 0.5) {
        cut.push(`${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? '').slice(0, 40)}`);
      }
    }
    const doc = document.documentElement;
    return { cut, documentScrolls: doc.scrollWidth > doc.clientWidth };
  });
}

test('the handout is a worksheet: blank to hand out, filled in with the figures measured to hand in', async ({
  page,
}) => {
  await page.goto('/?lesson=tiling');
  await measuredGflops(page);
  await page.getByTestId('lesson-handout').click();
  const worksheet = page.getByTestId('handout-worksheet');

  // Blank by default: nothing ticked, no figure of this session, lines to write on instead.
  await expect(page.getByTestId('handout')).toHaveAttribute('data-filled', 'false');
  await expect(page.getByTestId('handout-mode-blank')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('handout-row')).toHaveCount(0);
  await expect(page.getByTestId('handout-blank-row')).toHaveCount(5);
  await expect(page.getByTestId('handout-best')).toHaveCount(0);
  await expect(page.getByTestId('handout-explain')).toHaveCount(0);
  await expect(worksheet.locator('tbody tr[data-done="true"]')).toHaveCount(0);
  // The start's simulated misses, the same on every sheet, with the machine named.
  const simulated = page.getByTestId('handout-simulated');
  await expect(simulated).toContainText('Simulated cache misses (AMD Zen 4 core)');
  const startRow = simulated.getByTestId('handout-simulated-row');
  await expect(startRow).toHaveCount(1);
  await expect(startRow).toHaveAttribute('data-status', 'done');
  await expect(startRow.getByTestId('handout-simulated-L1d-B')).toHaveText('4.19 M');
  for (const cell of await worksheet.getByTestId('handout-measured').all()) {
    await expect(cell).toHaveText('measured');
    await expect(cell.locator('.handout-blank')).toHaveCount(1);
  }

  // Filled in, on request: what the session did and measured.
  await page.getByTestId('handout-mode-filled').click();
  await expect(page.getByTestId('handout')).toHaveAttribute('data-filled', 'true');
  await expect(page.getByTestId('handout-row').first()).toHaveAttribute('data-schedule', 'm:256 n:32 k:512 m:2 n:16');
  await expect(worksheet).toBeVisible();
  const rows = worksheet.locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const row of await rows.all()) {
    const question = row.getByTestId('handout-question');
    await expect(question).toHaveText(/\?|×/);
    expect(await question.locator('.handout-blank').count()).toBeGreaterThan(0);
  }
  // The fits-L1 question and, beside it, what the session reads for it now.
  const fits = page.getByTestId('handout-task-fits-l1');
  await expect(fits.getByTestId('handout-question')).toContainText('Which stays in the 32 KiB L1?');
  await expect(fits.getByTestId('handout-measured')).toContainText("B's L1d capacity misses 4.18 M");
  // The task already done from the start schedule (the lesson starts with a 2×16 tile) shows where and at what speed.
  const kept = page.getByTestId('handout-task-keep-tile');
  await expect(kept).toHaveAttribute('data-done', 'true');
  await expect(kept.getByTestId('handout-measured')).toContainText(/done on m:256 n:32 k:512 m:2 n:16, [\d.]+ GFLOPS/);
});

for (const paper of PAPERS) {
  test(`the worksheet prints on ${paper.name} with nothing cut`, async ({ page }) => {
    await page.goto('/?lesson=register-tile&handout=1');
    await expect(page.getByTestId('handout-worksheet')).toBeVisible();
    // A link's handout is the blank one, to hand out.
    await expect(page.getByTestId('handout')).toHaveAttribute('data-filled', 'false');
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: paper.width, height: paper.height });
    await expect(page.locator('.app-header')).toBeHidden();
    await expect(page.getByTestId('handout-print')).toBeHidden();
    expect(await overflow(page)).toEqual({ cut: [], documentScrolls: false });
    // Chromium lays the same page out as a PDF of that paper.
    const pdf = await page.pdf({ format: paper.name as 'A4' | 'Letter' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
}
